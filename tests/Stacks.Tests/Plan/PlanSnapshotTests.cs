using System.Text;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Plan;

/// <summary>
/// The reviewed plan of every shipped stack is committed under snapshots/. A change to the code or a
/// stack file that changes the platform fails here until the snapshot is accepted with
/// <c>bash scripts/accept-plans.sh</c>; the pull request then shows the platform change as a diff.
/// The review-diff fixtures (a change to prod, as a reviewer reads it) start with what the change creates and
/// destroys around the servers (<see cref="PlanChanges"/>), then the plan's changed lines.
/// </summary>
public sealed class PlanSnapshotTests
{
    /// <summary>Every Pulumi.&lt;stack&gt;.yaml, as accept-plans.sh writes them, so a new stack file cannot go unreviewed.</summary>
    public static TheoryData<string> Stacks => TestStacks.ShippedStackNames;

    [Fact]
    public void Every_stack_file_has_a_snapshot_and_every_snapshot_a_stack_file()
    {
        var snapshots = Directory.GetFiles(Path.Combine(TestStacks.RepoRoot, "snapshots"), "*.plan.txt")
            .Select(f => Path.GetFileName(f)[..^".plan.txt".Length]).Order(StringComparer.Ordinal);
        Assert.Equal(TestStacks.ShippedStackList, snapshots);
        Assert.Contains("small", snapshots);
    }

    [Theory]
    [MemberData(nameof(Stacks))]
    public void The_committed_plan_is_the_current_plan(string stack)
    {
        var path = Path.Combine(TestStacks.RepoRoot, "snapshots", $"{stack}.plan.txt");
        Assert.True(File.Exists(path), $"{path} is missing. Run: bash scripts/accept-plans.sh");
        var diff = Diff(File.ReadAllText(path), PlanText.Render(TestStacks.ShippedBlueprint(stack)));
        Assert.True(diff.Length == 0,
            $"The {stack} platform changed but snapshots/{stack}.plan.txt was not updated. Review the change below, then run: bash scripts/accept-plans.sh\n{diff}");
    }

    [Fact]
    public void The_readme_diagram_is_the_prod_plans_diagram()
    {
        var readme = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "README.md"));
        var start = readme.IndexOf("```mermaid\n", StringComparison.Ordinal) + "```mermaid\n".Length;
        var diagram = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
        Assert.True(PlanMermaid.Render(TestStacks.ShippedBlueprint("prod")) == diagram,
            "README.md's diagram is out of date: replace it with the output of `dotnet run --project stacks -- plan --stack prod --format mermaid`.");
    }

    [Fact]
    public void Raising_an_apps_memory_shows_a_small_readable_diff() =>
        AssertFixture("raise-api-memory.diff", File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.prod.yaml"))
            .Replace("      memoryMb: 1024\n", "      memoryMb: 1536\n", StringComparison.Ordinal), maxLines: 26);

    [Fact]
    public void Adding_an_app_shows_everything_it_brings()
    {
        var yaml = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.prod.yaml")) + """
                - name: docs
                  image: ghcr.io/brightlane/docs:1.0.0
                  port: 8080
                  routes:
                    - host: docs
                  healthPath: /healthz
                  cpus: 0.25
                  memoryMb: 128

            """;
        AssertFixture("add-docs-app.diff", yaml, maxLines: 100);
    }

    /// <summary>
    /// The WooCommerce case: a WordPress app with a MariaDB database. The diff shows all it brings —
    /// MariaDB itself, the user, the provisioning, the backup jobs and their agents, the monitors, the
    /// budget lines and the secrets — and that prod needs the next server type for it.
    /// </summary>
    [Fact]
    public void Adding_a_wordpress_app_shows_its_mariadb_database_user_backups_and_monitors()
    {
        var yaml = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.prod.yaml"))
            .Replace("platform:serverType: ccx23", "platform:serverType: ccx33", StringComparison.Ordinal) + """
                - name: shop
                  image: wordpress:6.7.1-php8.3-apache
                  port: 80
                  routes:
                    - host: shop
                  healthPath: /wp-login.php
                  cpus: 1
                  memoryMb: 512
                  needs:
                    database: { engine: mariadb, connectionLimit: 30 }

            """;
        // (With the observability part on, MariaDB's exporter and the rules and targets it adds to Prometheus's files come too;
        // with prod's Storage Box, each MariaDB job's timer checks the box's host key before its upload.)
        AssertFixture("add-wordpress-app.diff", yaml, maxLines: 480);
        var diff = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "tests", "Stacks.Tests", "Fixtures", "add-wordpress-app.diff"));
        foreach (var line in new[]
                 {
                     "+ mariadb [data] mariadb:10.11.18",
                     "+ database shop (MariaDB): user shop (connection limit 30, password app.shop.mariadb), rights on this database only; used by shop",
                     "+ host command mariadb-provision:",
                     "+ backup mariadb-daily: MariaDB daily (every app database): shop;",
                     "+ monitor MariaDB TCP mariadb:3306: tcp mariadb:3306",
                     "+   app.shop.mariadb: generated",
                 })
            Assert.Contains(line, diff, StringComparison.Ordinal);
    }

    /// <summary>
    /// The prod stack moved to the split form with the same apps (3 app servers, 1 data server): the summary names every
    /// server, firewall, network, load balancer and volume it creates and destroys, then the plan's lines follow.
    /// </summary>
    [Fact]
    public void Moving_prod_to_the_split_form_shows_what_it_creates_and_destroys()
    {
        // A split stack refuses app volumes (docs/topology.md): the API's uploads move to its bucket first.
        var yaml = System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.prod.yaml")),
                "      volumes:.*\n.*\n      staticFiles:.*\n.*\n", "")
            .Replace("  platform:serverType: ccx23\n", MoveToSplit, StringComparison.Ordinal);
        // (Larger with the observability part on: its collector, proxy and node-exporter join every new server; with the
        // files host's refusing routers for MinIO's admin and KMS API, which move from labels to every app server's file
        // routes; with each new container's privileges line; with each new server's host packet filter; and with the API's
        // uploads file server and volume, which a split stack refuses, destroyed.)
        AssertFixture("move-prod-to-split.diff", yaml, maxLines: 2200);
        var diff = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "tests", "Stacks.Tests", "Fixtures", "move-prod-to-split.diff"));
        Assert.StartsWith($"@@ {PlanChanges.Heading} @@\n", diff, StringComparison.Ordinal);
        foreach (var line in new[]
                 {
                     "+ server server-data: platform-prod-data (data, Hetzner ccx23, private IP 10.20.1.2, protected)",
                     "+ server server-app-1: platform-prod-app-1 (app, Hetzner cx32, private IP 10.20.1.11, protected)",
                     "+ server server-app-3: platform-prod-app-3 (app, Hetzner cx32, private IP 10.20.1.13, protected)",
                     "- server server: platform-prod (Hetzner ccx23, protected: unprotect it first), and everything on it",
                     "+ firewall firewall-data: platform-prod-data (the data server; 2 rules)",
                     "+ firewall firewall-app: platform-prod-app (the app servers; 2 rules)",
                     "- firewall firewall: platform-prod",
                     "+ private network platform-prod: 10.20.0.0/16, subnet 10.20.1.0/24 in eu-central",
                     "+ placement group platform-prod-app: spread: app-1, app-2, app-3",
                     "+ load balancer platform-prod: Hetzner lb11, private IP 10.20.1.254, targets app-1, app-2, app-3; tcp 80, 443 with the PROXY protocol",
                     "+ data volume platform-prod-data: 100 GB on data, protected",
                     "~ DNS: 16 records move from the server to the load balancer",
                     "+ == Servers ==",
                     "- == Server ==",
                 })
            Assert.Contains(line + "\n", diff, StringComparison.Ordinal);
        Assert.Contains(diff.Split('\n'), l => l.StartsWith("- on server: ", StringComparison.Ordinal) && l.EndsWith("protected volumes: unprotect first)", StringComparison.Ordinal));
        Assert.Contains(diff.Split('\n'), l => l.StartsWith("+ on data: ", StringComparison.Ordinal));
    }

    /// <summary>What replaces <c>platform:serverType: ccx23</c> in prod to move it to the split form (the scale stack's servers).</summary>
    public const string MoveToSplit = "  platform:servers:\n    app:\n      type: cx32\n      count: 3\n    data:\n      type: ccx23\n      volumeGb: 100\n";

    private static void AssertFixture(string fixture, string changedStack, int maxLines)
    {
        var beforeBlueprint = TestStacks.ShippedBlueprint("prod");
        var afterBlueprint = BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", "prod", changedStack)));
        // The resources around the servers first (empty when none of them changes), then the plan's changed lines.
        var diff = PlanDiff.Render(beforeBlueprint, afterBlueprint);
        var path = Path.Combine(TestStacks.RepoRoot, "tests", "Stacks.Tests", "Fixtures", fixture);
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1") File.WriteAllText(path, diff);
        Assert.Equal(File.ReadAllText(path), diff);
        Assert.InRange(diff.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, 1, maxLines);
    }

    public static string Diff(string before, string after) => PlanDiff.Lines(before, after);
}
