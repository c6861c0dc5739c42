using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Settings;

/// <summary>
/// People and machines: every key in a shipped stack file is one identity (its comment names a person or an
/// environment's CI), and no CI key opens both a staging and a prod stack, so what runs for staging cannot log in to prod.
/// </summary>
public sealed class SshIdentityTests
{
    private static readonly string[] ShippedStacks = ["staging", "prod", "scale", "small"];

    /// <summary>The key material (type and base64), without the comment: two lines with different comments can still be one key.</summary>
    private static string Material(string line) => string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(2));

    private static string Comment(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(2) ?? "";

    [Fact]
    public void No_key_a_staging_stack_holds_for_CI_opens_a_prod_stack_and_back()
    {
        var stacks = ShippedStacks.Select(TestStacks.Shipped).ToList();
        foreach (var a in stacks)
        {
            foreach (var b in stacks.Where(b => b.Environment != a.Environment))
            {
                var other = b.Server.SshPublicKeys.Select(Material).ToHashSet(StringComparer.Ordinal);
                foreach (var key in a.Server.SshPublicKeys.Where(k => Comment(k).StartsWith("ci-", StringComparison.Ordinal)))
                    Assert.False(other.Contains(Material(key)), $"The CI key {Comment(key)} of {a.Stack} also opens {b.Stack}: give each environment's CI its own key.");
            }
        }
    }

    [Fact]
    public void Every_shipped_key_is_one_identity_and_each_CI_key_names_its_environment()
    {
        foreach (var settings in ShippedStacks.Select(TestStacks.Shipped))
        {
            var keys = settings.Server.SshPublicKeys;
            // One line per identity: no key listed twice under two names.
            Assert.Equal(keys.Length, keys.Select(Material).Distinct(StringComparer.Ordinal).Count());
            Assert.All(keys, k => Assert.Contains('@', Comment(k)));
            foreach (var ci in keys.Where(k => Comment(k).StartsWith("ci-", StringComparison.Ordinal)))
                Assert.StartsWith($"ci-{settings.Environment.ToString().ToLowerInvariant()}@", Comment(ci), StringComparison.Ordinal);
        }
    }
}
