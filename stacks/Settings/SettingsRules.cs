using Platform.Stacks.Blueprint;
using Platform.Stacks.Catalog;

namespace Platform.Stacks.Settings;

/// <summary>Rules that span several settings: names and routes that clash, references, the memory budget.</summary>
internal static class SettingsRules
{
    /// <summary>Env var names the platform injects into apps; an app's own env must not set them.</summary>
    public static readonly IReadOnlySet<string> InjectedEnv = new HashSet<string>(StringComparer.Ordinal)
    {
        "DATABASE_URL", "DATABASE_DIRECT_URL", "REDIS_URL",
        Parts.MariaDb.MariaDbConnection.UrlEnv, Parts.MariaDb.MariaDbConnection.HostEnv, Parts.MariaDb.MariaDbConnection.PortEnv,
        Parts.MariaDb.MariaDbConnection.DatabaseEnv, Parts.MariaDb.MariaDbConnection.UserEnv, Parts.MariaDb.MariaDbConnection.PasswordEnv, "REDIS_KEY_PREFIX",
        "S3_ENDPOINT", "S3_PUBLIC_URL", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_REGION", "PORT", "APP_URL",
    };

    private static readonly string[] SecretLikeWords = ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "PRIVATE_KEY", "API_KEY", "CREDENTIAL"];

    public static void Check(StackSettings s, NodeReader r)
    {
        var byName = new Dictionary<string, AppSettings>(StringComparer.Ordinal);
        foreach (var app in s.Apps)
        {
            if (app.Name.Length == 0) continue;
            if (ServiceNames.All.Contains(app.Name) || app.Name.StartsWith(ServiceNames.Backup + "-", StringComparison.Ordinal)
                || app.Name == Operations.AutoKuma.SetupContainerName)
                r.Error($"{app.Key}.name", $"'{app.Name}' is the name of a platform service, so it would not resolve to the app.", "Choose another name, e.g. 'my-" + app.Name + "'.");
            else if (!byName.TryAdd(app.Name, app))
                r.Error($"{app.Key}.name", $"'{app.Name}' is used by {byName[app.Name].Key} too.", "Give every app a unique name.");
        }

        // Two routes that match the same requests (same host, same path) would leave the choice to Traefik.
        var routes = new Dictionary<(string Host, string Path), string>();
        foreach (var host in ServiceNames.PlatformHosts)
            routes[(Fqdn(host, s.Domain), "")] = $"the platform's {host} host";
        if (s.MinioConsole is { } console && s.Domain.Length > 0)
        {
            if (routes.ContainsKey((Fqdn(console.Host, s.Domain), "")))
                r.Error("platform:minioConsoleHost", $"'{console.Host}' is a platform host already.", "Choose another subdomain, e.g. minio-admin.");
            routes[(Fqdn(console.Host, s.Domain), "")] = "platform:minioConsoleHost";
        }
        if (s.Observability.Enabled && s.Domain.Length > 0)
        {
            if (routes.ContainsKey((Fqdn(s.Observability.Host, s.Domain), "")))
                r.Error("platform:observability.host", $"'{s.Observability.Host}' is a platform host already.", "Choose another subdomain, e.g. grafana or metrics-admin.");
            routes[(Fqdn(s.Observability.Host, s.Domain), "")] = "platform:observability.host (Grafana)";
        }
        var routedHosts = s.Apps.SelectMany(a => a.Routes).Where(x => s.Domain.Length > 0 && (x.Host.Length > 0 || x.Domain is not null))
            .Select(x => x.Fqdn(s.Domain)).ToHashSet(StringComparer.Ordinal);
        foreach (var app in s.Apps)
        {
            for (var i = 0; i < app.Routes.Length; i++)
            {
                var route = app.Routes[i];
                var key = $"{app.Key}.routes[{i}]";
                var hostKey = route.Domain is null ? $"{key}.host" : $"{key}.domain";
                if ((route.Host.Length == 0 && route.Domain is null) || s.Domain.Length == 0) continue;
                var fqdn = route.Fqdn(s.Domain);
                var path = route.PathPrefix ?? "";
                if (routes.TryGetValue((fqdn, path), out var owner))
                {
                    r.Error(hostKey, $"{fqdn}{path} is already routed by {owner}, so both would match the same requests.",
                        ServiceNames.PlatformHosts.Contains(route.Host) && path.Length == 0
                            ? $"'{route.Host}' is reserved for the platform; choose another host."
                            : $"Give one of {owner} and {key} another host or path prefix.");
                    continue;
                }
                routes[(fqdn, path)] = key;

                if (route.Domain is { } domain)
                {
                    if (s.Zone.Length > 0 && (domain == s.Zone || domain.EndsWith("." + s.Zone, StringComparison.Ordinal)))
                        r.Error(hostKey, $"{domain} is inside the stack's zone {s.Zone}.", $"Use 'host: {(domain == s.Domain ? "\"@\"" : domain.EndsWith("." + s.Domain, StringComparison.Ordinal) ? domain[..^(s.Domain.Length + 1)] : "<subdomain>")}' for names in the zone; domain: is for a tenant's own domain.");
                    // HTTP-01 needs Let's Encrypt to reach port 80 directly, and the tenant's visitors reach 443 without Cloudflare.
                    if (s.CloudflareOriginPulls)
                        r.Error(hostKey, $"{domain} is a domain outside the zone, whose visitors come straight to the server without Cloudflare's client certificate, but platform:cloudflareOriginPulls is true, so Traefik refuses every TLS connection without it.",
                            "Set platform:cloudflareOriginPulls: false, or serve the tenant under the stack's domain.");
                    if (s.CloudflareOnlyIngress)
                        r.Error(hostKey, $"{domain} is a domain outside the zone: its certificate comes by HTTP-01 and its visitors come straight to the server, but platform:cloudflareOnlyIngress is true, so the firewall lets only Cloudflare reach 80/443.",
                            "Set platform:cloudflareOnlyIngress: false (80/443 open to everyone; Cloudflare-proxied hosts keep working), or serve the tenant under the stack's domain.");
                }

                if (route.Redirect is { } redirect && s.Domain.Length > 0)
                {
                    var target = redirect == RedirectTarget.Apex
                        ? (route.Domain is { } d ? d["www.".Length..] : s.Domain)
                        : (route.Domain is { } d2 ? "www." + d2 : Fqdn("www", s.Domain));
                    if (!routedHosts.Contains(target))
                        r.Error($"{key}.redirect", $"sends visitors to {target}, which no route serves.", $"Add a route for {target} (e.g. to this app), or remove the redirect.");
                }

                // Cloudflare's Universal SSL certificate covers the zone apex and one level of
                // subdomains; a proxied host deeper than that fails TLS at the edge.
                if (route.Domain is null && !Parts.Edge.NestedWildcards.IsHost(route.Host) && s.Zone.Length > 0 && fqdn.EndsWith("." + s.Zone, StringComparison.Ordinal)
                    && fqdn[..^(s.Zone.Length + 1)].Contains('.'))
                {
                    r.Error($"{key}.host", $"{fqdn} is more than one level below the Cloudflare zone {s.Zone}; Cloudflare's Universal SSL does not cover it, so visitors would get a TLS error.",
                        "Use a one-level host (e.g. 'app-staging' instead of 'app' under a 'staging.' domain), or give the stack its own zone; tenants two levels down take a nested wildcard (host: \"*.app\", DNS only, see README).");
                }
            }
        }

        foreach (var app in s.Apps.Where(a => Names.IsAppName(a.Name)))
        {
            if (app.Database is { Engine: DatabaseEngine.Postgres, Name: null, Role: null } && Data.PostgresNames.Problem(BlueprintBuilder.DbName(app.Name)) is { } dbProblem)
                r.Error($"{app.Key}.name", $"'{app.Name}' cannot name a PostgreSQL role and database: '{BlueprintBuilder.DbName(app.Name)}' {dbProblem}.",
                    "Choose another app name, or name them with needs.database: { name: …, role: … }.");
        }

        foreach (var app in s.Apps)
        {
            if (app.DatabaseOf is { } of)
            {
                if (!byName.TryGetValue(of, out var owner))
                    r.Error($"{app.Key}.needs.databaseOf", $"names '{of}', which is not an app of this stack.", $"Use one of: {string.Join(", ", byName.Keys.Order(StringComparer.Ordinal))}.");
                else if (owner.Database is null)
                    r.Error($"{app.Key}.needs.databaseOf", $"names '{of}', which has no database of its own.", $"Add 'needs: {{ database: true }}' to {owner.Key}, or let this app have its own database.");
            }
            if (app.RedisOf is { } redisOf)
            {
                if (redisOf == app.Name)
                    r.Error($"{app.Key}.needs.redisOf", "names the app itself.", "Use 'redis: true' for the app's own instance.");
                else if (!byName.TryGetValue(redisOf, out var owner))
                    r.Error($"{app.Key}.needs.redisOf", $"names '{redisOf}', which is not an app of this stack.", $"Use one of: {string.Join(", ", byName.Keys.Order(StringComparer.Ordinal))}.");
                else if (owner.RedisInstance is null)
                    r.Error($"{app.Key}.needs.redisOf", $"names '{redisOf}', which has no Redis instance of its own{(owner.RedisOf is { } chained ? $" (it shares {chained}'s)" : "")}.",
                        owner.RedisOf is { } ownerOf ? $"Name the instance's owner: 'redisOf: {ownerOf}'." : $"Add 'needs: {{ redis: true }}' to {owner.Key}, or let this app have its own instance.");
            }
            foreach (var (name, value) in app.Env)
            {
                // A mapped value (DATABASE_URL: ${database.directUrl}) takes the default's name on purpose; a plain one would hide it.
                if (InjectedEnv.Contains(name) && !EnvTemplate.HasReference(value))
                    r.Error($"{app.Key}.env.{name}", $"{name} is set by the platform.", "Remove it; the platform injects it from the app's needs (or map it to a reference, e.g. ${database.directUrl}).");
                else if (!app.Buckets.IsEmpty && name.StartsWith("S3_BUCKET_", StringComparison.Ordinal) && !EnvTemplate.HasReference(value))
                    r.Error($"{app.Key}.env.{name}", $"{name} is a name the platform uses for the app's buckets (S3_BUCKET_<NAME>), so the value would be replaced.",
                        "Rename it; the platform sets S3_BUCKET_<NAME> for each bucket under needs.buckets.");
                else if (value.Length > 0 && !AppRules.ReferencesSecret(value) && SecretLikeWords.Any(w => name.Contains(w, StringComparison.OrdinalIgnoreCase)))
                    r.Error($"{app.Key}.env.{name}", $"{name} looks like a secret but is in plain config.",
                        $"Move it to secretEnv and set it with: pulumi config set --secret --path 'appSecrets.{app.Name}.{name}' <value> --stack {s.Stack}");
            }
            foreach (var name in app.SecretEnv.Where(InjectedEnv.Contains))
                r.Error($"{app.Key}.secretEnv", $"{name} is set by the platform.", "Remove it from secretEnv.");
            var bucketNames = new HashSet<string>(StringComparer.Ordinal);
            foreach (var bucket in app.Buckets.Where(b => !bucketNames.Add(b.Name)))
                r.Error($"{app.Key}.needs.buckets", $"lists the bucket '{bucket.Name}' twice.", "List each bucket once.");
        }

        foreach (var secret in s.SecretsSet.Where(k => k.StartsWith("appSecrets.", StringComparison.Ordinal)))
        {
            var parts = secret.Split('.', 3);
            if (!byName.TryGetValue(parts[1], out var app))
                r.Error($"platform:{secret}", $"belongs to '{parts[1]}', which is not an app of this stack.", "Remove it (pulumi config rm --path ...) or fix the app name.");
            else if (!app.SecretEnv.Contains(parts[2]) && !app.Routes.Any(x => x.BasicAuthSecret == parts[2])
                     && !app.Env.Values.SelectMany(EnvTemplate.References).Contains("secret." + parts[2]))
                r.Error($"platform:{secret}", $"is set but {app.Key}.secretEnv does not list {parts[2]}, no route's basicAuth names it and no env value references ${{secret.{parts[2]}}}, so nothing would use it.", $"Add {parts[2]} to secretEnv (or a route's basicAuth, or reference it in env), or remove the value.");
        }

        AppRules.Check(s, r, byName);
        Parts.Edge.CacheRules.Check(s, r);
        Parts.Edge.StaticFiles.Check(s, r);
        Parts.Edge.NestedWildcards.Check(s, r);
        Parts.Dns.ZoneRecords.CheckStack(s, r);
        InputRules.Check(s, r);
        Parts.TopologyRules.Check(s, r);

        CheckMariaDb(s, r);
        CheckConnections(s, r);

        if (s.Topology is { } topology)
        {
            if (r.Errors.Count == 0) CheckSplitBudgets(s, topology, r);
        }
        else if (ServerTypes.All.TryGetValue(s.Server.Type, out var type) && Budget(s) is { } budget)
        {
            if (!budget.Fits)
            {
                var apps = budget.Lines.Where(l => l.Kind == "app").Sum(l => l.TotalMb);
                var bigger = ServerTypes.All.Values.Where(t => t.MemoryGb * 1024 >= budget.TotalMb + budget.OneShotPeakMb && t.MemoryGb > type.MemoryGb && t.Cpu == type.Cpu)
                    .OrderBy(t => t.MemoryGb).FirstOrDefault();
                var oneShot = budget.FreeMb >= 0 ? $" and a one-shot container needs {budget.OneShotPeakMb} MB of the {budget.FreeMb} MB left" : "";
                r.Error("platform:serverType",
                    $"The memory budget does not fit: apps {apps} MB + platform services {budget.ContainersMb - apps} MB + OS reserve {budget.OsReserveMb} MB = {budget.TotalMb} MB, but a {type.Name} has {budget.ServerMemoryMb} MB{oneShot}.",
                    (bigger is null ? "Choose a larger server type" : $"Choose a larger server type (e.g. {bigger.Name}, {bigger.MemoryGb} GB)")
                    + " or lower the apps' memoryMb/instances or the services' *MemoryMb settings"
                    + (s.Observability.Enabled ? $", or turn platform:observability off (its containers take {budget.Lines.Where(Parts.Observability.ObservabilityView.IsPart).Sum(l => l.TotalMb)} MB)." : "."));
            }
        }
    }

    /// <summary>
    /// The MariaDB part's own validation (settings and every app's database request), its errors re-keyed to
    /// where a user wrote the value: the flat <c>mariadb*</c> settings, an app's name (which names its database
    /// and user) or its <c>needs.database.connectionLimit</c>.
    /// </summary>
    private static void CheckMariaDb(StackSettings s, NodeReader r)
    {
        var requests = BlueprintBuilder.MariaDbRequests(s);
        const string settingsKey = "platform:mariadb";
        string RequestKey(int i) => $"{requests[i].App.Key}.needs.database";
        var settingKeys = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [$"{settingsKey}.image"] = "platform:mariadbImage",
            [$"{settingsKey}.memoryMb"] = "platform:mariadbMemoryMb",
            [$"{settingsKey}.maxConnections"] = "platform:mariadbMaxConnections",
        };
        // Settings are checked even when no app uses MariaDB yet, so a bad value never waits for the first such app.
        var nameProblems = new SortedDictionary<int, List<string>>();
        foreach (var e in Parts.MariaDb.MariaDbValidation.Errors(s.MariaDb, [.. requests.Select(x => x.Request)], settingsKey, RequestKey))
        {
            var i = Enumerable.Range(0, requests.Length).FirstOrDefault(j => e.Key.StartsWith(RequestKey(j) + ".", StringComparison.Ordinal), -1);
            if (settingKeys.TryGetValue(e.Key, out var flat))
                r.Error(flat, e.Problem, e.Fix);
            else if (i >= 0 && e.Key.EndsWith(".database", StringComparison.Ordinal) && requests[i].App.Database?.Name is not null)
                r.Error($"{RequestKey(i)}.name", e.Problem, e.Fix);
            else if (i >= 0 && e.Key.EndsWith(".user", StringComparison.Ordinal) && (requests[i].App.Database?.Role ?? requests[i].App.Database?.Name) is not null)
                r.Error($"{RequestKey(i)}.{(requests[i].App.Database?.Role is null ? "name" : "role")}", e.Problem, e.Fix);
            else if (i >= 0 && (e.Key.EndsWith(".database", StringComparison.Ordinal) || e.Key.EndsWith(".user", StringComparison.Ordinal)))
                (nameProblems.TryGetValue(i, out var list) ? list : nameProblems[i] = []).Add(e.Problem.TrimEnd('.'));
            else
                r.Error(e.Key, e.Problem, e.Fix);
        }
        // The app's name is both its database's and its user's: one error for it, with every reason.
        foreach (var (i, problems) in nameProblems)
            r.Error($"{requests[i].App.Key}.name", $"'{requests[i].App.Name}' cannot name a MariaDB database and user: {string.Join("; ", problems)}.", "Choose another app name.");
    }

    private static void CheckConnections(StackSettings s, NodeReader r)
    {
        var budget = ConnectionBudget.Compute(s);
        if (budget.Fits) return;
        var apps = budget.Lines.Where(l => l.Kind == "app").ToList();
        var platform = budget.TotalConnections - apps.Sum(l => l.Connections);
        r.Error("platform:postgresMaxConnections",
            $"The connection budget does not fit: the app roles' connection limits ({string.Join(" + ", apps.Select(l => $"{l.Name} {l.Connections}"))}) + platform users {platform} = {budget.TotalConnections}, "
            + $"but PostgreSQL allows {budget.AvailableConnections} (max_connections {budget.MaxConnections} - {budget.SuperuserReserved} reserved for superusers).",
            $"Raise platform:postgresMaxConnections to at least {budget.TotalConnections + budget.SuperuserReserved}, or lower the apps' needs.database.connectionLimit.");
    }

    /// <summary>
    /// Every server of a split stack must fit what is placed on it. Placement needs valid settings, so this runs only
    /// once every other rule passed (their errors come first; this one follows their fix).
    /// </summary>
    private static void CheckSplitBudgets(StackSettings s, Parts.TopologySettings t, NodeReader r)
    {
        foreach (var budget in BlueprintBuilder.Build(s).Budgets.Where(b => !b.Fits))
        {
            var data = budget.Server.HoldsData;
            var key = Parts.TopologySettings.TypeKey(budget.Server);
            var type = ServerTypes.All[budget.ServerType];
            var bigger = ServerTypes.All.Values.Where(x => x.MemoryGb * 1024 >= budget.TotalMb + budget.OneShotPeakMb && x.Cpu == type.Cpu).OrderBy(x => x.MemoryGb).FirstOrDefault();
            r.Error(key,
                $"The memory budget of {budget.Server} does not fit: containers {budget.ContainersMb} MB + OS reserve {budget.OsReserveMb} MB = {budget.TotalMb} MB"
                + (budget.OneShotPeakMb > 0 ? $", plus a one-shot of {budget.OneShotPeakMb} MB," : "") + $" but a {type.Name} has {budget.ServerMemoryMb} MB.",
                (bigger is null ? "Choose a larger server type" : $"Choose a larger server type (e.g. {bigger.Name}, {bigger.MemoryGb} GB)")
                + (data ? $" or lower the {(budget.Server.Role == Parts.ServerRole.Cache ? "Redis instances' memory (platform:redisMaxMemoryMb, needs.redis.maxMemoryMb)" : budget.Server.Role == Parts.ServerRole.Files ? "MinIO's memory (platform:minioMemoryMb)" : "data services' *MemoryMb settings")}." : $" or add app servers (servers.app.count, now {t.AppCount}) or lower the apps' memoryMb/instances."));
        }
    }

    /// <summary>The budget, or null when other errors (already reported) keep it from being computed.</summary>
    private static MemoryBudget? Budget(StackSettings s)
    {
        try
        {
            return MemoryBudget.Compute(s);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    public static string Fqdn(string host, string domain) => host switch
    {
        "@" => domain,
        _ => $"{host}.{domain}",
    };
}
