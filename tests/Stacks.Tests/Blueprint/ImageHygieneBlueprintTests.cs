using Platform.Stacks.Blueprint;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Blueprint;

public sealed class ImageHygieneBlueprintTests
{
    [Theory]
    [MemberData(nameof(TestStacks.ShippedStackNames), MemberType = typeof(TestStacks))]
    public void Every_server_gets_the_daily_image_prune(string stack)
    {
        var b = TestStacks.ShippedBlueprint(stack);
        var prunes = b.HostCommands.Where(h => h.Name.Split('@')[0] == HostCommandNames.ImageHygiene).ToList();
        Assert.Equal(b.Servers.Select(x => x.Key.Id).Order().ToArray(), prunes.Select(p => p.Host.Id).Order().ToArray());
        var code = string.Join("\n", ImageHygiene.Script().Split('\n').Where(l => !l.TrimStart().StartsWith('#')));
        foreach (var prune in prunes)
        {
            var script = prune.Stdin!.Masked;
            Assert.Contains($"OnCalendar={ImageHygiene.OnCalendar}", script, StringComparison.Ordinal);
            Assert.Contains("systemctl enable --now platform-image-prune.timer", script, StringComparison.Ordinal);
            // Only images, never by force: no volume, network or container is removed, nor an image in use.
            Assert.DoesNotContain("volume", code, StringComparison.Ordinal);
            Assert.DoesNotContain("network", code, StringComparison.Ordinal);
            Assert.DoesNotContain(" -f ", code.Replace("inspect -f", "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.NotNull(prune.Delete);
        }
    }
}
