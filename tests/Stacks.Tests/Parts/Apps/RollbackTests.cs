using Platform.Stacks.Blueprint;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts.Apps;

/// <summary>The releases output, and a rollback of one app that replaces that app's containers and nothing else.</summary>
public sealed class RollbackTests
{
    private static AppSettings App(string name, string image) => TestStacks.Read(TestStacks.Yaml()).Apps[0] with { Name = name, Image = image };

    [Fact]
    public void An_app_whose_image_changes_keeps_the_image_it_ran_as_its_previous_one_and_an_unchanged_app_keeps_its_previous()
    {
        var deployed = new Dictionary<string, AppRelease>
        {
            ["api"] = new("ghcr.io/x/api:2", "ghcr.io/x/api:1"),
            ["web"] = new("ghcr.io/x/web:7", "ghcr.io/x/web:6"),
        };
        var next = Rollback.Next(deployed, [App("api", "ghcr.io/x/api:3"), App("web", "ghcr.io/x/web:7"), App("new", "ghcr.io/x/new:1")]);
        Assert.Equal(new AppRelease("ghcr.io/x/api:3", "ghcr.io/x/api:2"), next["api"]);
        Assert.Equal(new AppRelease("ghcr.io/x/web:7", "ghcr.io/x/web:6"), next["web"]);
        Assert.Equal(new AppRelease("ghcr.io/x/new:1", null), next["new"]);
        // Round trip through the output's JSON.
        Assert.Equal(next, Rollback.Parse(Rollback.Json(next)).Releases);
    }

    [Fact]
    public void The_output_carries_the_releases_handed_back_from_the_last_deploy()
    {
        var b = TestStacks.Build(TestStacks.Yaml(extra: """platform:lastDeployReleases: '{"api":{"image":"ghcr.io/example/api:0.9.0"}}'"""));
        var output = b.Outputs.Single(o => o.Name == Rollback.Output);
        Assert.False(output.Secret);
        Assert.Equal(new AppRelease("ghcr.io/example/api:1.0.0", "ghcr.io/example/api:0.9.0"), Rollback.Parse(output.Value.Masked).Releases!["api"]);
    }

    [Fact]
    public void Releases_that_are_not_the_output_are_an_error_naming_the_key()
    {
        var (_, errors) = TestStacks.TryRead(TestStacks.Yaml(extra: "platform:lastDeployReleases: 'not json'"));
        Assert.Contains(errors, e => e.Key == "platform:lastDeployReleases" && e.Fix.Contains("pulumi stack output appReleases", StringComparison.Ordinal));
    }

    [Fact]
    public void The_rollback_changes_the_apps_image_and_no_other_character_of_the_stack_file()
    {
        var text = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.prod.yaml"));
        var (after, problem) = Rollback.RollBack(text, "api", "ghcr.io/brightlane/api:3.8.0");
        Assert.Null(problem);
        var before = text.Split('\n');
        var changed = after!.Split('\n').Select((l, i) => (l, i)).Where(x => x.l != before[x.i]).ToList();
        var line = Assert.Single(changed);
        Assert.Equal(before[line.i].Replace("ghcr.io/brightlane/api:3.8.1", "ghcr.io/brightlane/api:3.8.0", StringComparison.Ordinal), line.l);
        // worker runs the same image: it is not rolled back.
        Assert.Equal("ghcr.io/brightlane/api:3.8.1", SettingsReader.Read(StackFiles.FromTexts(File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.yaml")), "prod", after, "x")).Apps.Single(a => a.Name == "worker").Image);
        Assert.NotNull(Rollback.RollBack(text, "nope", "ghcr.io/x/y:1").Problem);
        Assert.NotNull(Rollback.RollBack(text, "api", "x; rm -rf /").Problem);
    }

    [Fact]
    public void Plan_against_shows_the_rollback_as_that_apps_replacement_only()
    {
        var dir = Directory.CreateTempSubdirectory("rollback");
        try
        {
            foreach (var f in new[] { "Pulumi.yaml", "Pulumi.prod.yaml" })
                File.Copy(Path.Combine(TestStacks.RepoRoot, f), Path.Combine(dir.FullName, f));
            var releases = Path.Combine(dir.FullName, "releases.json");
            File.WriteAllText(releases, """{"api":{"image":"ghcr.io/brightlane/api:3.8.1","previous":"ghcr.io/brightlane/api:3.8.0"},"web":{"image":"ghcr.io/brightlane/web:4.12.0"}}""");
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            Assert.Equal(0, Rollback.Run(dir.FullName, "prod", "api", releases, stdout, stderr));
            var review = stdout.ToString();
            var resources = review.Split("@@ what happens to each resource @@\n")[1].Split("\n@@")[0].Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var api = TestStacks.ShippedBlueprint("prod").Services.Where(s => s.App == "api" && s.Kind == ServiceKind.App && s.StartOnDeploy && !s.OneShot && !Platform.Stacks.Parts.Edge.StaticFiles.IsService(s.Name)).Select(s => s.Name).ToList();
            Assert.Equal(api.Count, resources.Length);
            Assert.All(resources, l => Assert.Matches(@"^~ replaced create-before-delete, no downtime: container api-\d \(image ghcr\.io/brightlane/api:3\.8\.1 -> ghcr\.io/brightlane/api:3\.8\.0\)$", l));
            Assert.Equal("", stderr.ToString());

            // Nothing recorded before: nothing to roll back to.
            Assert.Equal(1, Rollback.Run(dir.FullName, "prod", "web", releases, new StringWriter(), stderr));
            Assert.Contains("no previous release recorded", stderr.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
