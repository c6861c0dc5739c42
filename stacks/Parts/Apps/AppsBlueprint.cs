using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts.Maintenance;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;
using static Platform.Stacks.Blueprint.BuildKit;
using MountKind = Platform.Stacks.Blueprint.MountKind;
using Platform.Stacks.Parts.Edge;

namespace Platform.Stacks.Parts.Apps;

/// <summary>The apps part on the stack: each app's containers, networks, volumes, routes, release and jobs.</summary>
public static class AppsBlueprint
{
    internal static IEnumerable<ServiceSpec> AppServices(StackSettings s, AppSettings app, ImmutableArray<DatabaseSpec> databases)
    {
        var routes = AppRoutes(s, app);
        var labels = AppLabels(s, app, routes);
        var db = databases.UsedBy(app.Name);

        var dependsOn = new List<string>();
        if (db is not null) dependsOn.Add(db.Engine == DatabaseEngine.MariaDb ? ServiceNames.MariaDb : ServiceNames.PgBouncer);
        if (Parts.Redis.RedisNames.For(s, app) is { } redis) dependsOn.Add(redis.Container);
        if (app.UsesObjectStorage(s)) dependsOn.Add(ServiceNames.Minio);
        // A routed app goes live through Traefik: the edge is up before its first instance.
        if (!labels.IsEmpty) dependsOn.Add(ServiceNames.Traefik);
        var after = new List<string>();
        if (db is not null) after.Add(db.Engine == DatabaseEngine.MariaDb ? HostCommandNames.MariaDbProvision : HostCommandNames.PostgresProvision);
        if (app.UsesObjectStorage(s)) after.Add(HostCommandNames.MinioProvision);
        // Traefik reads the htpasswd file when it builds the route's middleware: the file is there first.
        if (routes.Any(r => r.BasicAuthFile is not null)) after.Add(HostCommandNames.TraefikAuthFiles);
        // The platform's services join the app's networks before anything of the app runs.
        after.Add(AppNames.AttachCommand(app.Name));

        var exclusive = app.Volumes.Any(v => !v.Shared);
        // A routed instance replaced create-before-delete leaves Traefik's rotation before its stop signal; one replaced
        // delete-before-create has no successor running to take its requests, so draining it would only add a wait.
        var drained = !labels.IsEmpty && !exclusive && app.HealthPath is not null && app.Port is not null;
        var health = app.HealthPath is not null && app.Port is { } p
            ? (drained ? Draining.HttpCheck(p, app.HealthPath) : Conventions.HttpCheck(p, app.HealthPath))
            : app.HealthCommand;
        var env = AppEnvironment.For(s, app, databases);
        var mounts = app.Volumes.Select(v => new MountSpec(MountKind.Volume, AppNames.Volume(app.Name, v.Name), v.MountPath, ReadOnly: false)).ToImmutableArray();
        // Two containers on one volume at once is what create-before-delete means; a volume not declared shared gets
        // one writer at a time: the old instance stops before the new one starts (seconds of downtime per deploy).
        // The release and the jobs run next to a serving instance: they get only the volumes declared shared.
        var sharedMounts = mounts.Where((_, i) => app.Volumes[i].Shared).ToImmutableArray();

        var instanceAfter = after.ToList();
        if (app.Release is not null) instanceAfter.Add(OneShotChecks.Name(AppNames.Release(app.Name)));
        for (var i = 1; i <= app.Instances; i++)
        {
            yield return new ServiceSpec
            {
                Name = $"{app.Name}-{i}",
                Part = PartId.App(app.Name),
                Kind = ServiceKind.App,
                ContainerName = exclusive ? AppNames.Instance(app.Name, i) : null,
                Replacement = exclusive ? Replacement.DeleteBeforeCreate : Replacement.CreateBeforeDelete,
                Image = app.Image,
                Command = app.Command,
                Env = env,
                InternalPorts = app.Port is { } ip ? [ip] : [],
                // The probe the HTTP check runs, whatever the image holds.
                Mounts = HealthProbe.Uses(health) ? mounts.Add(HealthProbe.Mount) : mounts,
                Networks = Attachments(s, app, [app.Name]),
                Labels = labels,
                HealthCheck = Conventions.Health(health),
                Limits = new ResourceLimits(app.MemoryMb, app.Cpus),
                RestartPolicy = Conventions.RestartPolicy,
                Log = Conventions.Log,
                DependsOn = [.. dependsOn],
                AfterHostCommands = [.. instanceAfter],
                App = app.Name,
                Tmpfs = drained ? ImmutableSortedDictionary<string, string>.Empty.Add(Draining.Directory, Draining.TmpfsOptions) : ImmutableSortedDictionary<string, string>.Empty,
                StopGraceSeconds = Draining.GraceSeconds,
                DrainSeconds = drained ? Draining.WaitSeconds(Conventions.Health(health)) : null,
            };
        }

        // Runs before any new instance (they wait for its check); it has the instances' env, networks and volumes.
        if (app.Release is { } release)
            yield return OneShotOfApp(s, app, AppNames.Release(app.Name), release.Command, env, sharedMounts, dependsOn, after) with { OneShot = true };

        // Files the app wrote to a volume, served by their own small server (Parts.Edge.StaticFiles).
        foreach (var files in Parts.Edge.StaticFiles.Services(s, app)) yield return files;

        foreach (var job in app.Jobs)
        {
            yield return OneShotOfApp(s, app, AppNames.Job(app.Name, job.Name), job.Command, env, sharedMounts, dependsOn, after) with
            {
                StartOnDeploy = false,
                Schedule = job.Schedule,
            };
        }
    }

    /// <summary>A run-to-completion container of the app's image (release command, scheduled job): no alias, so no traffic finds it.</summary>
    internal static ServiceSpec OneShotOfApp(StackSettings s, AppSettings app, string name, ImmutableArray<string> command, ImmutableSortedDictionary<string, SecretText> env,
        ImmutableArray<MountSpec> mounts, List<string> dependsOn, List<string> after) => new()
    {
        Name = name,
        Part = PartId.App(app.Name),
        Kind = ServiceKind.App,
        ContainerName = name,
        Replacement = Replacement.DeleteBeforeCreate,
        Image = app.Image,
        Command = command,
        Env = env,
        Mounts = mounts,
        Networks = Attachments(s, app, []),
        // The image's own HEALTHCHECK is for a serving instance; a one-shot would only ever report unhealthy.
        HealthCheck = Conventions.Health(["NONE"]),
        Limits = new ResourceLimits(app.MemoryMb, app.Cpus),
        RestartPolicy = "no",
        Log = Conventions.Log,
        DependsOn = [.. dependsOn.Where(d => d != ServiceNames.Traefik)],
        AfterHostCommands = [.. after],
        WaitHealthy = false,
        App = app.Name,
    };

    /// <summary>
    /// The networks an app's container joins: its own (egress if it declares it; Traefik if routed; the apps that talk to it), its data
    /// network when it uses a data service, and the own network of every app it talks to.
    /// </summary>
    internal static ImmutableArray<NetworkAttachment> Attachments(StackSettings s, AppSettings app, ImmutableArray<string> aliases)
    {
        var list = new List<NetworkAttachment> { new(AppNames.Network(app.Name), aliases) };
        if (UsesDataServices(s, app)) list.Add(new(AppNames.DataNetwork(app.Name), aliases));
        list.AddRange(app.TalksTo.Order(StringComparer.Ordinal).Select(t => new NetworkAttachment(AppNames.Network(t), [])));
        return [.. list];
    }

    /// <summary>Whether the app's instances run the platform's HTTP probe (<see cref="HealthProbe"/>).</summary>
    internal static bool UsesProbe(AppSettings app) => app.HealthPath is not null && app.Port is not null;

    internal static bool UsesDataServices(StackSettings s, AppSettings app) => DataServicesOf(s, app).Any();

    /// <summary>The stack's networks: the platform's three, then two per app (its own, and its data network when it uses data services).</summary>
    internal static ImmutableArray<NetworkSpec> Networks(StackSettings s) =>
    [
        new(ServiceNames.ControlNetwork, Internal: true, "Read-only Docker API for Traefik; no egress"),
        new(ServiceNames.DataNetwork, Internal: true, "Data services and the operations containers that dump them; no egress"),
        new(ServiceNames.EdgeNetwork, Internal: false, "Traefik and the platform services it routes to; internet egress"),
        .. s.Apps.OrderBy(a => a.Name, StringComparer.Ordinal).SelectMany(a => AppNetworks(s, a)),
    ];

    internal static IEnumerable<NetworkSpec> AppNetworks(StackSettings s, AppSettings app)
    {
        var talkers = s.TalkersTo(app.Name);
        var joined = new List<string> { $"{app.Name}'s containers" };
        if (!app.Routes.IsEmpty) joined.Add("Traefik");
        if (!talkers.IsEmpty) joined.Add($"the apps that talk to it ({string.Join(", ", talkers)})");
        yield return new(AppNames.Network(app.Name), Internal: !app.Egress,
            $"{string.Join(", ", joined)}; {(app.Egress ? "internet egress (egress: true)" : "no internet egress (declare egress: true to open it)")}");
        if (UsesDataServices(s, app))
            yield return new(AppNames.DataNetwork(app.Name), Internal: true, $"{app.Name} and the data services it uses ({string.Join(", ", DataServicesOf(s, app))}); no egress");
    }

    /// <summary>The name an app reaches a data service by: its container name, or <c>redis</c> for the app's Redis instance.</summary>
    internal static string DataAlias(string service) => Parts.Redis.RedisNames.IsContainer(service) ? Parts.Redis.RedisNames.Alias : service;

    /// <summary>The platform's data services an app uses, by container name.</summary>
    internal static IEnumerable<string> DataServicesOf(StackSettings s, AppSettings app)
    {
        var owner = s.DatabaseOwner(app);
        if (owner?.Database?.Engine == DatabaseEngine.Postgres) { yield return ServiceNames.PgBouncer; yield return ServiceNames.Postgres; }
        if (owner?.Database?.Engine == DatabaseEngine.MariaDb) yield return ServiceNames.MariaDb;
        if (Parts.Redis.RedisNames.For(s, app) is { } redis) yield return redis.Container;
        if (app.UsesObjectStorage(s)) yield return ServiceNames.Minio;
    }

    /// <summary>
    /// Joins the platform's containers to the app's networks (Traefik to its own if routed, the data services it uses
    /// to its data network), each under its usual name. A host command rather than the services' own network lists:
    /// a container's networks are fixed at creation, so listing every app there would replace PostgreSQL, Redis and
    /// Traefik whenever an app is added. It re-runs when one of them is replaced; removing the app disconnects them.
    /// </summary>
    internal static HostCommandSpec AttachCommand(StackSettings s, AppSettings app)
    {
        var pairs = Joins(s, app).Select(j => (j.Network, j.Service)).ToList();
        var create = new List<string> { "set -eu" };
        if (UsesProbe(app)) create.Add(HealthProbe.EnsureInstalled);
        create.Add("attached() { docker inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{println $k}}{{end}}' \"$2\" | grep -qxF \"$1\"; }");
        create.AddRange(pairs.Select(x => $"attached {x.Network} {x.Service} || docker network connect --alias {DataAlias(x.Service)} {x.Network} {x.Service}"));
        var delete = pairs.Select(x => $"docker network disconnect -f {x.Network} {x.Service} 2>/dev/null || true").DefaultIfEmpty("true");
        var networks = Attachments(s, app, []).Select(a => a.Network).Where(n => n.StartsWith(AppNames.Network(app.Name), StringComparison.Ordinal));
        return new HostCommandSpec(AppNames.AttachCommand(app.Name),
            pairs.Count == 0 ? $"nothing of the platform joins {app.Name}'s network (no route, no data service)"
                : $"joins {string.Join(", ", pairs.Select(x => $"{x.Service} to {x.Network}"))}; removing the app disconnects them",
            string.Join("; ", create), null, [.. pairs.Select(x => x.Service).Distinct()])
        {
            Part = PartId.App(app.Name),
            Delete = string.Join("; ", delete),
            Networks = [.. networks],
        };
    }

    /// <summary>
    /// The app's scheduled jobs on the server: per job a systemd timer (its cron schedule, UTC) that starts the job's
    /// container (created by the deployment, never started by it), waits for it and pushes the result to the job's
    /// Uptime Kuma heartbeat. systemd never starts a job again while its last run is still going. Docker has no
    /// scheduler of its own; a scheduler container would need the Docker API's write side, i.e. root on the host.
    /// </summary>
    internal static HostCommandSpec JobsCommand(AppSettings app, string? uptimeKumaUrl = null)
    {
        var b = new SecretTextBuilder();
        b.Line("set -eu");
        b.Line($"sudo install -d -m 0700 {AppNames.JobsDirectory}");
        HostFiles.Write(b, $"{AppNames.JobsDirectory}/run-job.sh", "0755", SecretText.Plain(uptimeKumaUrl is null ? RunJobScript : RunJobScriptFor(uptimeKumaUrl)));
        var units = new List<string>();
        foreach (var job in app.Jobs)
        {
            var container = AppNames.Job(app.Name, job.Name);
            var unit = AppNames.JobUnit(app.Name, job.Name);
            units.Add(unit);
            HostFiles.Write(b, $"{AppNames.JobsDirectory}/{container}.env", "0600",
                new SecretTextBuilder().Text("PUSH_TOKEN=").Secret(AppNames.JobPushToken(app.Name, job.Name)).Build());
            HostFiles.Write(b, $"/etc/systemd/system/{unit}.service", "0644", SecretText.Plain(string.Join("\n",
                "[Unit]",
                $"Description=Job {job.Name} of the app {app.Name}",
                "Requires=docker.service",
                "After=docker.service",
                "",
                "[Service]",
                "Type=oneshot",
                $"EnvironmentFile={AppNames.JobsDirectory}/{container}.env",
                $"ExecStart={AppNames.JobsDirectory}/run-job.sh {container}",
                "")));
            HostFiles.Write(b, $"/etc/systemd/system/{unit}.timer", "0644",
                SecretText.Plain(CronSchedule.TimerUnit($"Schedule '{job.Schedule}' (UTC) of the job {job.Name} of {app.Name}", job.Schedule)));
        }
        var prefix = AppNames.JobUnitPrefix(app.Name);
        // Jobs removed from the stack: their timers stop and their files go.
        b.Line($"for t in /etc/systemd/system/{prefix}*.timer; do [ -e \"$t\" ] || continue; u=$(basename \"$t\" .timer); case \" {string.Join(" ", units)} \" in *\" $u \"*) ;; *) sudo systemctl disable --now \"$u.timer\" || true; sudo rm -f \"/etc/systemd/system/$u.timer\" \"/etc/systemd/system/$u.service\";; esac; done");
        b.Line("sudo systemctl daemon-reload");
        foreach (var unit in units) b.Line($"sudo systemctl enable --now {unit}.timer >/dev/null");
        return new HostCommandSpec(AppNames.JobsCommand(app.Name),
            $"installs the systemd timers of {app.Name}'s jobs ({string.Join(", ", app.Jobs.Select(j => $"{j.Name} '{j.Schedule}'"))}); each starts the job's container and reports to its heartbeat",
            "sh -s", b.Build(), [.. app.Jobs.Select(j => AppNames.Job(app.Name, j.Name))])
        {
            Part = PartId.App(app.Name),
            Delete = $"for t in /etc/systemd/system/{prefix}*.timer; do [ -e \"$t\" ] || continue; sudo systemctl disable --now \"$(basename \"$t\")\" || true; done; sudo rm -f /etc/systemd/system/{prefix}* {AppNames.JobsDirectory}/{AppNames.Job(app.Name, "")}*; sudo systemctl daemon-reload",
        };
    }

    /// <summary>
    /// What a job's timer runs: start the container attached (its exit code is the job's), then push up or down to the
    /// job's heartbeat monitor on Uptime Kuma's address on the edge network (the host is on every bridge network).
    /// </summary>
    public static readonly string RunJobScript = string.Join("\n",
        "#!/bin/sh",
        "# Usage: run-job.sh <container>; PUSH_TOKEN comes from the job's environment file.",
        "set -u",
        "if docker start -a \"$1\"; then status=up; msg=OK; else code=$?; status=down; msg=\"exit%20code%20$code\"; fi",
        $"ip=$(docker inspect -f '{{{{with index .NetworkSettings.Networks \"{ServiceNames.EdgeNetwork}\"}}}}{{{{.IPAddress}}}}{{{{end}}}}' {ServiceNames.UptimeKuma} 2>/dev/null || true)",
        $"if [ -n \"$ip\" ]; then curl -fsS -m 10 -o /dev/null \"http://$ip:{Parts.Monitoring.MonitoringBlueprint.UptimeKumaPort.ToString(CultureInfo.InvariantCulture)}/api/push/$PUSH_TOKEN?status=$status&msg=$msg\" || echo 'heartbeat push failed' >&2; else echo '{ServiceNames.UptimeKuma} is not running: no heartbeat' >&2; fi",
        "[ \"$status\" = up ]",
        "");

    /// <summary>The job script of an app server: Uptime Kuma is on the data server, at <paramref name="uptimeKumaUrl"/>.</summary>
    public static string RunJobScriptFor(string uptimeKumaUrl) => string.Join("\n",
        "#!/bin/sh",
        "# Usage: run-job.sh <container>; PUSH_TOKEN comes from the job's environment file.",
        "set -u",
        "if docker start -a \"$1\"; then status=up; msg=OK; else code=$?; status=down; msg=\"exit%20code%20$code\"; fi",
        $"curl -fsS -m 10 -o /dev/null \"{uptimeKumaUrl}/api/push/$PUSH_TOKEN?status=$status&msg=$msg\" || echo 'heartbeat push failed' >&2",
        "[ \"$status\" = up ]",
        "");

    /// <summary>The app jobs' heartbeat monitors: each must hear from its job within the schedule's longest gap plus an hour.</summary>
    /// <remarks>The memory budget is computed while settings are validated: a job whose schedule is wrong (already an error) gets no monitor.</remarks>
    internal static IEnumerable<MonitorSpec> JobMonitors(StackSettings s, string? notification) =>
        from a in s.Apps
        from j in a.Jobs
        where CronSchedule.TryParse(j.Schedule, out _, out _)
        select MonitorSpec.Push(AppNames.JobMonitor(a.Name, j.Name), $"Job {j.Name} of {a.Name} ('{j.Schedule}' UTC)",
            (int)(CronSchedule.Parse(j.Schedule).LongestGap() ?? TimeSpan.FromDays(366)).TotalSeconds + Operations.Backups.HeartbeatGraceSeconds,
            AppNames.JobPushToken(a.Name, j.Name), notification);

    internal static IEnumerable<GeneratedSecret> JobSecrets(StackSettings s) =>
        s.Apps.SelectMany(a => a.Jobs.Select(j => new GeneratedSecret(AppNames.JobPushToken(a.Name, j.Name), 32, true,
            $"Uptime Kuma push token of {a.Name}'s job {j.Name}")));

    /// <summary>An app's volumes: namespaced names, protected on prod, archived by the app-volumes backup.</summary>
    internal static IEnumerable<VolumeSpec> AppVolumes(StackSettings s) =>
        s.Apps.SelectMany(a => a.Volumes.Select(v => new VolumeSpec(AppNames.Volume(a.Name, v.Name), $"{a.Name}-1",
            $"{a.Name}'s {v.Name} at {v.MountPath}{(v.Shared ? ", shared by its instances" : ", one writer at a time")}", s.IsProd)
        {
            Part = PartId.App(a.Name),
            Durable = true,
            SizeGb = v.SizeGb,
            BackedUp = s.Backups.Enabled,
        }));

    /// <summary>What the app's attach command joins: Traefik to its network if routed, the data services it uses to its data network.</summary>
    internal static IEnumerable<NetworkJoinSpec> Joins(StackSettings s, AppSettings app)
    {
        var command = AppNames.AttachCommand(app.Name);
        if (!app.Routes.IsEmpty) yield return new(AppNames.Network(app.Name), ServiceNames.Traefik, command);
        foreach (var d in DataServicesOf(s, app)) yield return new(AppNames.DataNetwork(app.Name), d, command);
    }

    internal static ImmutableArray<NetworkJoinSpec> NetworkJoins(StackSettings s) =>
        [.. s.Apps.OrderBy(a => a.Name, StringComparer.Ordinal).SelectMany(a => Joins(s, a))];

    /// <summary>The app parts' host commands: network attachment for every app, timers for apps with jobs.</summary>
    internal static IEnumerable<HostCommandSpec> AppHostCommands(StackSettings s) =>
        s.Apps.SelectMany(a => a.Jobs.IsEmpty ? [AttachCommand(s, a)] : new[] { AttachCommand(s, a), JobsCommand(a) });

    /// <summary>An app container's Traefik labels for <paramref name="routes"/> (all of the app's, or a server's share of them).</summary>
    internal static ImmutableSortedDictionary<string, string> AppLabels(StackSettings s, AppSettings app, IReadOnlyList<RouteSpec> routes) =>
        app.Port is { } port && routes.Count > 0
            ? Routing.Labels(Routing.AppService(app.Name), port, routes, s.Domain, app.HealthPath, s.CloudflareOnlyIngress,
                sticky: app.Instances > 1 && routes.Any(r => r.Websockets), network: AppNames.Network(app.Name))
            : ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>An app's routes as Traefik serves them: names, host kind, certificate resolver and middlewares.</summary>
    public static ImmutableArray<RouteSpec> AppRoutes(StackSettings s, AppSettings app) =>
    [
        .. app.Routes.Select((r, i) => new RouteSpec(Routing.AppRouter(app.Name, i), r.Fqdn(s.Domain), r.Domain ?? r.Host, r.PathPrefix, r.Websockets)
        {
            Kind = r.IsWildcard ? HostKind.Wildcard : HostKind.Exact,
            CertResolver = r.Domain is null ? Routing.ZoneResolver(s) : Routing.HttpCertResolver,
            StripPrefix = r.StripPrefix,
            Headers = r.Headers,
            MaxBodyMb = r.MaxBodyMb,
            // The app's rateLimit is the default of each of its routes.
            RateLimit = r.RateLimit ?? app.RateLimit,
            AllowCidrs = r.AllowCidrs,
            BasicAuthFile = r.BasicAuthSecret is null ? null : $"{Parts.Edge.EdgeBlueprint.TraefikAuthDirectory}/{Parts.Edge.EdgeBlueprint.AuthFileName(app.Name, i)}",
            RedirectTo = r.Redirect switch
            {
                RedirectTarget.Apex => r.Domain is { } d ? d["www.".Length..] : s.Domain,
                RedirectTarget.Www => "www." + (r.Domain ?? s.Domain),
                _ => null,
            },
            Compress = r.Compress,
            CacheRules = Parts.Edge.CacheRules.Of(s, app, r),
            Proxied = r.Domain is not null || !Parts.Edge.NestedWildcards.IsHost(r.Host),
            TlsDomain = r.Domain is null && Parts.Edge.NestedWildcards.IsHost(r.Host) ? Parts.Edge.NestedWildcards.CertificateDomain(r.Host, s.Domain) : null,
        }),
    ];
}
