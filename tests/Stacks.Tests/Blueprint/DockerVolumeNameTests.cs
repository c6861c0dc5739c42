using System.Text.RegularExpressions;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Tests.Parts.Server;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Blueprint;

/// <summary>
/// Every Docker volume name the blueprint gives is one the engine accepts: Docker refuses a local volume named otherwise
/// than <c>[a-zA-Z0-9][a-zA-Z0-9_.-]*</c> (seen on a real engine: "alloy-data@cache includes invalid characters"). Keys of
/// copies on several servers carry <c>@server</c>; the names the engine sees must not.
/// </summary>
public sealed partial class DockerVolumeNameTests
{
    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")]
    private static partial Regex DockerName();

    public static TheoryData<string> Stacks => TestStacks.ShippedStackNames;

    [Theory, MemberData(nameof(Stacks))]
    public void Every_volume_of_a_shipped_stack_has_a_name_Docker_accepts(string stack) =>
        AssertNames(TestStacks.ShippedBlueprint(stack));

    [Fact]
    public void Every_volume_of_a_stack_with_cache_and_file_servers_has_a_name_Docker_accepts() =>
        AssertNames(BlueprintBuilder.Build(TestStacks.Read(RoleStacks.ScaleWithRoles, "scale")));

    private static void AssertNames(PlatformBlueprint b)
    {
        Assert.All(b.Volumes, v => Assert.Matches(DockerName(), v.Name));
        Assert.All(b.Services.SelectMany(s => s.Mounts).Where(m => m.Kind == MountKind.Volume), m => Assert.Matches(DockerName(), m.Source));
        // Still one volume per server and name.
        Assert.Equal(b.Volumes.Length, b.Volumes.Select(v => (v.Host, v.Name)).Distinct().Count());
    }
}
