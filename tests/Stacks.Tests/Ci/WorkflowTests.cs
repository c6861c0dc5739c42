using System.Text.RegularExpressions;
using Platform.Stacks.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Tests.Ci;

/// <summary>
/// The CI workflow's shape (actionlint checks its syntax in .ci/run): what a pull request's code can reach, where
/// prod is touched, and what every step runs.
/// </summary>
public sealed partial class WorkflowTests
{
    private static readonly YamlMappingNode Workflow = Load();

    private static YamlMappingNode Load()
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(TestStacks.RepoRoot, ".github", "workflows", "platform.yml"));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlMappingNode Map(YamlNode node, string key) => (YamlMappingNode)((YamlMappingNode)node).Children[new YamlScalarNode(key)];

    private static string? Scalar(YamlNode node, string key) =>
        ((YamlMappingNode)node).Children.TryGetValue(new YamlScalarNode(key), out var v) ? (v as YamlScalarNode)?.Value : null;

    private static IEnumerable<(string Name, YamlMappingNode Job)> Jobs() =>
        Map(Workflow, "jobs").Children.Select(kv => (((YamlScalarNode)kv.Key).Value!, (YamlMappingNode)kv.Value));

    private static IEnumerable<YamlMappingNode> Steps(YamlMappingNode job) => ((YamlSequenceNode)job.Children[new YamlScalarNode("steps")]).Cast<YamlMappingNode>();

    /// <summary>Every scalar under a node, e.g. every expression a job could evaluate.</summary>
    private static IEnumerable<string> Scalars(YamlNode node) => node switch
    {
        YamlScalarNode s => [s.Value ?? ""],
        YamlMappingNode m => m.Children.SelectMany(kv => Scalars(kv.Key).Concat(Scalars(kv.Value))),
        YamlSequenceNode q => q.Children.SelectMany(Scalars),
        _ => [],
    };

    private static bool UsesSecrets(YamlNode node) => Scalars(node).Any(v => v.Contains("secrets.", StringComparison.Ordinal));

    [GeneratedRegex(@"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")]
    private static partial Regex PinnedAction();

    [Fact]
    public void Pull_requests_run_no_job_that_holds_a_secret()
    {
        var triggers = Map(Workflow, "on").Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToList();
        Assert.Contains("pull_request", triggers);
        // pull_request_target runs with the base repository's secrets on a fork's code.
        Assert.DoesNotContain("pull_request_target", triggers);
        Assert.DoesNotContain("workflow_run", triggers);
        foreach (var (name, job) in Jobs().Where(j => UsesSecrets(j.Job)))
        {
            // Only on a push to main, and only inside an environment (its secrets, its reviewers).
            Assert.Equal("github.event_name == 'push' && github.ref == 'refs/heads/main'", Scalar(job, "if") ?? Scalar(Jobs().Single(j => j.Name == Scalar(job, "needs")).Job, "if"));
            Assert.NotNull(Scalar(job, "environment"));
            Assert.False(string.IsNullOrEmpty(name));
        }
        // The job a pull request runs has no secret and no environment.
        var test = Jobs().Single(j => j.Name == "test").Job;
        Assert.False(UsesSecrets(test));
        Assert.Null(Scalar(test, "environment"));
        Assert.Null(Scalar(test, "if"));
    }

    [Fact]
    public void Prod_is_previewed_and_deployed_only_inside_the_protected_environment_after_staging()
    {
        var prodJobs = Jobs().Where(j => Steps(j.Job).Any(s => (Scalar(s, "run") ?? "").Contains("--stack prod", StringComparison.Ordinal))).ToList();
        var (name, prod) = Assert.Single(prodJobs);
        Assert.Equal("prod", Scalar(prod, "environment"));
        Assert.Equal("deploy-staging", Scalar(prod, "needs"));
        var runs = Steps(prod).Select(s => Scalar(s, "run")).OfType<string>().ToList();
        Assert.Contains("pulumi preview --diff --stack prod", runs);
        Assert.Contains("pulumi up --yes --diff --stack prod", runs);
        // Staging's job never names prod; each job reads the PULUMI_ACCESS_TOKEN of its own environment.
        var staging = Jobs().Single(j => j.Name == "deploy-staging").Job;
        Assert.Equal("staging", Scalar(staging, "environment"));
        Assert.DoesNotContain(Scalars(staging), v => v.Contains("prod", StringComparison.Ordinal));
        Assert.Equal("deploy-prod", name);
    }

    [Fact]
    public void Every_action_is_pinned_by_commit_and_the_Pulumi_CLI_by_exact_version()
    {
        var uses = Jobs().SelectMany(j => Steps(j.Job)).Select(s => Scalar(s, "uses")).OfType<string>().ToList();
        Assert.NotEmpty(uses);
        Assert.All(uses, u => Assert.Matches(PinnedAction(), u));
        var version = Scalar(Map(Workflow, "env"), "PULUMI_CLI_VERSION");
        Assert.Matches(@"^\d+\.\d+\.\d+$", version);
        Assert.All(Jobs().SelectMany(j => Steps(j.Job)).Where(s => (Scalar(s, "uses") ?? "").StartsWith("pulumi/actions@", StringComparison.Ordinal)),
            s => Assert.Equal("${{ env.PULUMI_CLI_VERSION }}", Scalar(Map(s, "with"), "pulumi-version")));
    }

    [Fact]
    public void No_action_receives_a_secret_and_the_SSH_key_goes_to_ssh_agent_in_a_shell_step()
    {
        foreach (var step in Jobs().SelectMany(j => Steps(j.Job)).Where(s => Scalar(s, "uses") is not null))
            Assert.False(UsesSecrets(step), $"action {Scalar(step, "uses")} receives a secret");
        var keySteps = Jobs().SelectMany(j => Steps(j.Job)).Where(s => Scalars(s).Any(v => v.Contains("secrets.DEPLOY_SSH_KEY", StringComparison.Ordinal))).ToList();
        Assert.Equal(2, keySteps.Count);
        Assert.All(keySteps, s =>
        {
            Assert.Null(Scalar(s, "uses"));
            Assert.Contains("ssh-add -", Scalar(s, "run"), StringComparison.Ordinal);
            Assert.Equal("${{ secrets.DEPLOY_SSH_KEY }}", Scalar(Map(s, "env"), "DEPLOY_SSH_KEY"));
        });
        // The workflow's token can only read the repository.
        Assert.Equal("read", Scalar(Map(Workflow, "permissions"), "contents"));
        Assert.Single(Map(Workflow, "permissions").Children);
    }
    [Fact]
    public void Every_deploy_ends_by_telling_its_stacks_alert_channels_how_it_went()
    {
        foreach (var (job, stack) in new[] { ("deploy-staging", "staging"), ("deploy-prod", "prod") })
        {
            var steps = Steps(Jobs().Single(j => j.Name == job).Job).ToList();
            var notify = Assert.Single(steps, s => (Scalar(s, "run") ?? "").Contains(" notify ", StringComparison.Ordinal));
            // Also after a failed or cancelled deploy; a channel that cannot be reached shows in the step, not in the deploy's result.
            Assert.Equal("always()", Scalar(notify, "if"));
            Assert.Equal("true", Scalar(notify, "continue-on-error"));
            Assert.Equal($"dotnet run --project stacks -c Release -- notify --stack {stack} --status \"$STATUS\" --commit \"$GITHUB_SHA\" --actor \"$GITHUB_ACTOR\" --run-url \"$RUN_URL\"", Scalar(notify, "run"));
            var env = Map(notify, "env");
            Assert.Equal("${{ job.status }}", Scalar(env, "STATUS"));
            // The channels' secrets are read from the stack's configuration with this environment's token only.
            Assert.Equal("${{ secrets.PULUMI_ACCESS_TOKEN }}", Scalar(env, "PULUMI_ACCESS_TOKEN"));
            Assert.Single(env.Children, kv => Scalars(kv.Value).Any(v => v.Contains("secrets.", StringComparison.Ordinal)));
            Assert.True(steps.IndexOf(notify) > steps.FindIndex(s => Scalar(s, "run") == $"pulumi up --yes --diff --stack {stack}"));
        }
    }
}
