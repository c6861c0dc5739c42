using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.Edge;
using Platform.Stacks.Parts.Hardening;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Edge;

/// <summary>
/// An uploads directory the API writes to its volume, served on <c>/uploads/</c> of the host the front end also serves
/// (<c>staticFiles: [{ host, path, volume }]</c>): its own file server wins over the front end there, and only there.
/// </summary>
public sealed class StaticFilesTests
{
    private const string Apps = """
        - name: web
          image: ghcr.io/example/web:1.0.0
          port: 3000
          routes: [{ host: app }]
          healthPath: /health
          cpus: 0.5
          memoryMb: 256
        - name: api
          image: ghcr.io/example/api:1.0.0
          port: 8000
          routes: [{ host: app, path: /api }]
          healthPath: /api/healthz
          cpus: 0.5
          memoryMb: 256
          instances: 2
          volumes: [{ name: uploads, mountPath: /app/uploads, sizeGb: 20, shared: true }]
          staticFiles: [{ host: app, path: /uploads/, volume: uploads }]
        """;

    private static PlatformBlueprint Build(string apps = Apps) => TestStacks.Build(TestStacks.Yaml(apps));

    private static IReadOnlyList<SettingsError> Errors(string apps) => TestStacks.Errors(TestStacks.Yaml(apps));

    [Fact]
    public void Uploads_go_to_the_file_server_and_everything_else_on_the_host_stays_where_it_was()
    {
        var b = Build();
        var upload = RouteExplainer.Explain(b, "https://app.example.com/uploads/avatars/42.png");
        Assert.Equal(StaticFiles.Service("api", 0), upload.Router!.Target);
        Assert.Equal("/uploads/avatars/42.png", upload.ForwardedPath);
        Assert.Equal(Routing.Priority(HostKind.Exact, "/uploads"), upload.Router.Priority);
        Assert.Contains(upload.Shadowed, r => r.Target == "web");
        Assert.Contains(upload.Router.MiddlewareDetails.Values, d => d.GetValueOrDefault("headers.contentsecuritypolicy") == StaticFiles.ContentSecurityPolicy);

        Assert.Equal("web", RouteExplainer.Explain(b, "https://app.example.com/uploadsx").Router!.Target);
        Assert.Equal("web", RouteExplainer.Explain(b, "https://app.example.com/").Router!.Target);
        Assert.Equal("api", RouteExplainer.Explain(b, "https://app.example.com/api/orders").Router!.Target);
        // Without the entry the same URL falls through to the front end, as it did before.
        var before = Build(Apps.Replace("\n  staticFiles: [{ host: app, path: /uploads/, volume: uploads }]", "", StringComparison.Ordinal));
        Assert.Equal("web", RouteExplainer.Explain(before, "https://app.example.com/uploads/avatars/42.png").Router!.Target);
    }

    [Fact]
    public void The_file_server_reads_the_volume_read_only_with_nothing_else_and_counts_in_the_budget()
    {
        var b = Build();
        var files = b.Service(StaticFiles.Service("api", 0));
        Assert.Equal(StaticFiles.Image, files.Image);
        Assert.Null(Names.ImageProblem(files.Image));
        var volume = Assert.Single(files.Mounts, m => m.Source == AppNames.Volume("api", "uploads"));
        Assert.Equal(("/usr/share/nginx/html/uploads", true), (volume.Target, volume.ReadOnly));
        Assert.Equal([AppNames.Network("api")], files.Networks.Select(n => n.Network));
        Assert.Empty(files.Env);
        Assert.Equal([StaticFiles.Port], files.InternalPorts.ToArray());
        Assert.Contains("8080", string.Join(" ", files.HealthCheck.Test), StringComparison.Ordinal);
        Assert.True(files.ReadOnlyRootFilesystem);
        Assert.Contains("/tmp", files.Tmpfs.Keys);
        Assert.Equal(["ALL"], files.CapDrop.ToArray());
        Assert.Empty(files.CapAdd);
        Assert.True(files.NoNewPrivileges);
        Assert.Empty(files.PublishedPorts);

        var line = Assert.Single(b.Budget.Lines, l => l.Name == StaticFiles.Service("api", 0));
        Assert.Equal(StaticFiles.DefaultMemoryMb, line.MemoryMb);
        Assert.Equal(Build(Apps.Replace("\n  staticFiles: [{ host: app, path: /uploads/, volume: uploads }]", "", StringComparison.Ordinal)).Budget.ContainersMb + 32, b.Budget.ContainersMb);
        Assert.Empty(Policy.Policies.Check(b));
    }

    [Fact]
    public void The_plan_shows_the_container_and_its_route()
    {
        var plan = PlanText.Render(Build());
        Assert.Contains($"{StaticFiles.Service("api", 0)} [app] {StaticFiles.Image}", plan, StringComparison.Ordinal);
        Assert.Contains("[10008] Host(`app.example.com`) && (Path(`/uploads`) || PathPrefix(`/uploads/`)) -> app-api.static-0", plan, StringComparison.Ordinal);
        Assert.Contains($"mount volume {AppNames.Volume("api", "uploads")} -> /usr/share/nginx/html/uploads (read-only)", plan, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ host: app, path: /uploads, volume: media }", "volume", "uploads")]
    [InlineData("{ host: files-cdn, path: /uploads, volume: uploads }", "host", "not a host of this app")]
    [InlineData("{ host: app, path: /api, volume: uploads }", "path", "routed by platform:apps[1].routes[0]")]
    [InlineData("{ host: app, path: /, volume: uploads }", "path", "root")]
    [InlineData("{ host: app, volume: uploads }", "path", "required")]
    [InlineData("{ host: app, path: /uploads, volume: uploads, memoryMb: 4 }", "memoryMb", "out of range")]
    [InlineData("{ host: app, path: /uploads, volume: uploads, root: /x }", "root", "not a known setting")]
    public void A_bad_entry_is_one_error_at_its_key_with_the_fix(string entry, string field, string problem)
    {
        var errors = Errors(Apps.Replace("{ host: app, path: /uploads/, volume: uploads }", entry, StringComparison.Ordinal));
        var e = Assert.Single(errors);
        Assert.Equal($"platform:apps[1].staticFiles[0].{field}", e.Key);
        Assert.Contains(problem, e.Problem + " " + e.Fix, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(e.Fix));
    }

    [Fact]
    public void Its_profile_is_the_strict_read_only_one() =>
        Assert.True(ContainerHardening.For(Build().Service(StaticFiles.Service("api", 0))).ReadOnlyRoot);
}
