using Platform.Stacks.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Tests.Ci;

/// <summary>
/// Drift is looked for twice: right after every deploy (a second preview must change nothing) and daily against the
/// real resources (a refresh preview of every deployed stack), which opens an issue when they differ.
/// </summary>
public sealed class DriftWorkflowTests
{
    private static YamlMappingNode Load(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(TestStacks.RepoRoot, ".github", "workflows", file));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlNode Child(YamlNode node, string key) => ((YamlMappingNode)node).Children[new YamlScalarNode(key)];

    private static string? Scalar(YamlNode node, string key) =>
        ((YamlMappingNode)node).Children.TryGetValue(new YamlScalarNode(key), out var v) ? (v as YamlScalarNode)?.Value : null;

    private static IEnumerable<YamlMappingNode> Steps(YamlNode job) => ((YamlSequenceNode)Child(job, "steps")).Cast<YamlMappingNode>();

    [Fact]
    public void Every_up_is_followed_by_a_preview_that_must_change_nothing()
    {
        var jobs = (YamlMappingNode)Child(Load("platform.yml"), "jobs");
        var ups = 0;
        foreach (var (_, job) in jobs.Children)
        {
            var runs = Steps(job).Select(s => Scalar(s, "run") ?? "").ToList();
            for (var i = 0; i < runs.Count; i++)
            {
                if (!runs[i].StartsWith("pulumi up ", StringComparison.Ordinal)) continue;
                ups++;
                var stack = runs[i][(runs[i].IndexOf("--stack ", StringComparison.Ordinal) + "--stack ".Length)..].Trim();
                Assert.True(i + 1 < runs.Count, $"nothing follows {runs[i]}");
                Assert.Equal($"pulumi preview --expect-no-changes --diff --stack {stack}", runs[i + 1]);
            }
        }
        Assert.Equal(2, ups);
    }

    [Fact]
    public void Every_deployed_stack_is_refreshed_daily_without_changes_and_drift_opens_an_issue()
    {
        var drift = Load("drift.yml");
        var on = (YamlMappingNode)Child(drift, "on");
        var triggers = on.Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToList();
        Assert.Equal(["schedule", "workflow_dispatch"], triggers.Order(StringComparer.Ordinal));
        Assert.Matches(@"^\d+ \d+ \* \* \*$", Scalar(((YamlSequenceNode)Child(on, "schedule")).Children[0], "cron"));

        var job = Child(Child(drift, "jobs"), "drift");
        var stacks = ((YamlSequenceNode)Child(Child(Child(job, "strategy"), "matrix"), "stack")).Children.Select(n => ((YamlScalarNode)n).Value).ToList();
        // The stacks CI deploys are the stacks checked for drift.
        var deployed = System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(Path.Combine(TestStacks.RepoRoot, ".github", "workflows", "platform.yml")),
            @"pulumi up --yes --diff --stack (\w+)").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(deployed.Order(StringComparer.Ordinal), stacks.Order(StringComparer.Ordinal));
        // Each in its own environment, never a deploy environment (those have reviewers and deploy rights).
        Assert.Equal("${{ matrix.stack }}-drift", Scalar(job, "environment"));

        var steps = Steps(job).ToList();
        var refresh = Assert.Single(steps, s => (Scalar(s, "run") ?? "").StartsWith("pulumi refresh", StringComparison.Ordinal));
        Assert.Equal("pulumi refresh --preview-only --expect-no-changes --diff --stack \"$STACK\"", Scalar(refresh, "run"));
        Assert.DoesNotContain(steps, s => (Scalar(s, "run") ?? "").Split('\n').Any(l => l.TrimStart().StartsWith("pulumi up", StringComparison.Ordinal)));
        var report = Assert.Single(steps, s => Scalar(s, "if") == "failure()" && (Scalar(s, "run") ?? "").Contains("gh issue create", StringComparison.Ordinal));
        Assert.Equal("${{ github.token }}", Scalar(Child(report, "env"), "GH_TOKEN"));
        // The token may write issues in this job only; the workflow's default is read-only.
        Assert.Equal("write", Scalar(Child(job, "permissions"), "issues"));
        Assert.Equal("read", Scalar(Child(drift, "permissions"), "contents"));
        Assert.Single(((YamlMappingNode)Child(drift, "permissions")).Children);
        // Actions pinned by commit, and none gets a secret.
        foreach (var step in steps.Where(s => Scalar(s, "uses") is not null))
        {
            Assert.Matches(@"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$", Scalar(step, "uses"));
            Assert.DoesNotContain("secrets.", step.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Cloudflares_ranges_are_compared_weekly_with_its_published_lists_without_a_secret_and_a_change_opens_an_issue()
    {
        var workflow = Load("cloudflare-ranges.yml");
        var on = (YamlMappingNode)Child(workflow, "on");
        Assert.Equal(["schedule", "workflow_dispatch"], on.Children.Keys.Select(k => ((YamlScalarNode)k).Value).Order(StringComparer.Ordinal));
        Assert.Matches(@"^\d+ \d+ \* \* [0-6]$", Scalar(((YamlSequenceNode)Child(on, "schedule")).Children[0], "cron"));
        Assert.Equal("read", Scalar(Child(workflow, "permissions"), "contents"));
        Assert.Single(((YamlMappingNode)Child(workflow, "permissions")).Children);
        // No secret anywhere: it reads public lists and the repository.
        Assert.DoesNotContain("secrets.", File.ReadAllText(Path.Combine(TestStacks.RepoRoot, ".github", "workflows", "cloudflare-ranges.yml")), StringComparison.Ordinal);

        var job = Child(Child(workflow, "jobs"), "ranges");
        Assert.Equal("ubuntu-latest", Scalar(job, "runs-on"));
        Assert.Equal("write", Scalar(Child(job, "permissions"), "issues"));
        var steps = Steps(job).ToList();
        var compare = Assert.Single(steps, s => (Scalar(s, "run") ?? "").Contains("cloudflare-ranges", StringComparison.Ordinal));
        var script = Scalar(compare, "run")!;
        Assert.Contains("https://www.cloudflare.com/ips-v4", script, StringComparison.Ordinal);
        Assert.Contains("https://www.cloudflare.com/ips-v6", script, StringComparison.Ordinal);
        var report = Assert.Single(steps, s => Scalar(s, "if") == "failure()" && (Scalar(s, "run") ?? "").Contains("gh issue create", StringComparison.Ordinal));
        Assert.Equal("${{ github.token }}", Scalar(Child(report, "env"), "GH_TOKEN"));
        foreach (var step in steps.Where(s => Scalar(s, "uses") is not null))
            Assert.Matches(@"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$", Scalar(step, "uses"));
    }

    /// <summary>
    /// The comparison itself, run offline: the workflow's script with the two downloads and the <c>dotnet run</c> replaced by
    /// local files (Cloudflare serves its lists in its own order, without a final newline). Equal lists pass; a range
    /// Cloudflare adds fails, with the range in the difference.
    /// </summary>
    [Fact]
    public async Task The_comparison_passes_on_the_same_ranges_in_cloudflares_order_and_fails_on_a_new_one()
    {
        var script = Scalar(Steps(Child(Child(Load("cloudflare-ranges.yml"), "jobs"), "ranges")).Single(s => (Scalar(s, "run") ?? "").Contains("cloudflare-ranges", StringComparison.Ordinal)), "run")!;
        var dir = Directory.CreateTempSubdirectory("cf-ranges-").FullName;
        try
        {
            async Task<(int Code, string Output)> Run(IEnumerable<string> v4, IEnumerable<string> v6)
            {
                await File.WriteAllTextAsync(Path.Combine(dir, "trusted"), Platform.Stacks.Catalog.CloudflareRanges.Listing());
                await File.WriteAllTextAsync(Path.Combine(dir, "v4"), string.Join("\n", v4));
                await File.WriteAllTextAsync(Path.Combine(dir, "v6"), string.Join("\n", v6));
                var local = script
                    .Replace("dotnet run --project stacks -c Release -- cloudflare-ranges", $"cat {dir}/trusted", StringComparison.Ordinal)
                    .Replace("curl -fsS --retry 3 https://www.cloudflare.com/ips-v4", $"cat {dir}/v4", StringComparison.Ordinal)
                    .Replace("curl -fsS --retry 3 https://www.cloudflare.com/ips-v6", $"cat {dir}/v6", StringComparison.Ordinal);
                Assert.DoesNotContain("curl", local, StringComparison.Ordinal);
                var psi = new System.Diagnostics.ProcessStartInfo("bash", ["-eo", "pipefail", "-c", local])
                {
                    RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
                };
                psi.Environment["RUNNER_TEMP"] = dir;
                using var p = System.Diagnostics.Process.Start(psi)!;
                var output = await p.StandardOutput.ReadToEndAsync() + await p.StandardError.ReadToEndAsync();
                await p.WaitForExitAsync();
                return (p.ExitCode, output);
            }

            var same = await Run(Platform.Stacks.Catalog.CloudflareRanges.Ipv4, Platform.Stacks.Catalog.CloudflareRanges.Ipv6);
            Assert.True(same.Code == 0, same.Output);
            var changed = await Run(Platform.Stacks.Catalog.CloudflareRanges.Ipv4, [.. Platform.Stacks.Catalog.CloudflareRanges.Ipv6, "2a09:bac0::/29"]);
            Assert.Equal(1, changed.Code);
            Assert.Contains("+2a09:bac0::/29", changed.Output, StringComparison.Ordinal);
            var removed = await Run(Platform.Stacks.Catalog.CloudflareRanges.Ipv4.Skip(1), Platform.Stacks.Catalog.CloudflareRanges.Ipv6);
            Assert.Equal(1, removed.Code);
            Assert.Contains($"-{Platform.Stacks.Catalog.CloudflareRanges.Ipv4[0]}", removed.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
