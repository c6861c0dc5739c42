using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;
using Platform.Stacks.Parts.Edge;

namespace Platform.Stacks.Parts.Apps;

/// <summary>
/// Reads <c>platform:apps</c>: each app's identity, port, routes and limits here; its health check, env, needs, volumes,
/// release and jobs, routes, edge and egress settings by their own readers, in that order (the order errors are reported in).
/// </summary>
internal static class AppSettingsReader
{
    public static System.Collections.Immutable.ImmutableArray<string> AppKeys => AppSchema.App.Keys;

    /// <summary>Docker's smallest CPU limit (its NanoCPUs are whole multiples of 10⁷).</summary>
    public const double MinCpus = 0.01;

    /// <summary>Every app of the list; an entry that is not a mapping is reported and left out.</summary>
    public static ImmutableArray<AppSettings> Read(NodeReader r, YamlNode? node, string stack, ImmutableSortedSet<string>.Builder secrets, int serverVcpus, int defaultInstances)
    {
        var key = StackValues.Key("apps");
        if (node is null) return [];
        if (node is not YamlSequenceNode seq)
        {
            r.Error(key, "must be a list of apps.", "Write one entry per app, each starting with '- name: …'.");
            return [];
        }
        var apps = ImmutableArray.CreateBuilder<AppSettings>();
        for (var i = 0; i < seq.Children.Count; i++)
        {
            if (ReadApp(r, seq.Children[i], i, stack, secrets, serverVcpus, defaultInstances) is { } app) apps.Add(app);
        }
        return apps.ToImmutable();
    }

    private static AppSettings? ReadApp(NodeReader r, YamlNode node, int index, string stack, ImmutableSortedSet<string>.Builder secrets, int serverVcpus, int defaultInstances)
    {
        var key = $"{StackValues.Key("apps")}[{index}]";
        var m = r.Mapping(node, key, AppKeys);
        if (node is not YamlMappingNode) return null;

        if (r.Required(m, "name", key, "Give the app a name, e.g. 'name: api' (lower-case letters, digits, hyphens).", out var name) && !Names.IsAppName(name))
            r.Error($"{key}.name", $"'{name}' is not a valid app name.", "Use 2–30 lower-case letters, digits and hyphens, starting with a letter, e.g. 'api' or 'web-admin'.");
        if (r.Required(m, "image", key, "Give a pinned image, e.g. 'ghcr.io/acme/api:1.4.2'.", out var image) && Names.ImageProblem(image) is { } problem)
            r.Error($"{key}.image", $"The image {problem}", "Pin a version tag (e.g. :1.4.2) or a digest (@sha256:…); never latest.");

        var port = r.OptionalInt(m, "port", key, 8080, 1, 65535);

        var routes = ImmutableArray.CreateBuilder<RouteSettings>();
        foreach (var (routeNode, rk) in r.Sequence(m.GetValueOrDefault("routes"), $"{key}.routes", "Write each route as '- host: app' (optionally with path and websockets)."))
            routes.Add(Edge.RouteSettingsReader.Read(r, routeNode, rk, name, stack, secrets));

        if (routes.Count > 0 && port is null)
            r.Error($"{key}.port", "is required because the app has routes.", "Give the port the app listens on inside its container, e.g. 'port: 8080'.");

        var (healthPath, healthCommand) = AppHealthReader.Read(r, m, key, port);

        var command = r.OptionalList(m, "command", key);
        // NUL bytes and escape sequences in this and every other argv: InputRules.
        if (!m.ContainsKey("cpus")) r.Error($"{key}.cpus", "is required: every container gets a CPU limit.", "Add e.g. 'cpus: 0.5'.");
        var cpus = r.Number(m.GetValueOrDefault("cpus"), $"{key}.cpus", 0.5, MinCpus, serverVcpus,
            $"Docker's smallest CPU limit is {MinCpus.ToString(CultureInfo.InvariantCulture)}; the server type has {serverVcpus} vCPUs.");
        // The Docker provider reads the limit back in its own decimal form; some values come back as another
        // limit (0.01 as "0.0", i.e. none), which would replace the container on every deployment.
        if (m.ContainsKey("cpus") && cpus > 0 && !Canonical.DockerForms.CpusRoundTrip(cpus))
            r.Error($"{key}.cpus", $"{cpus.ToString(CultureInfo.InvariantCulture)} is not a limit Docker's provider reads back unchanged.",
                "Use a multiple of 0.1 or of 0.25 (e.g. 0.1, 0.25, 0.5, 1.5).");
        if (!m.ContainsKey("memoryMb")) r.Error($"{key}.memoryMb", "is required: every container gets a memory limit.", "Add e.g. 'memoryMb: 256'.");
        var memory = r.Int(m.GetValueOrDefault("memoryMb"), $"{key}.memoryMb", 256, 16, 262144);
        // By default an app has an instance on every app server (one on a single server).
        var instances = m.TryGetValue("instances", out var instNode) ? r.Int(instNode, $"{key}.instances", 1, 1, 20) : defaultInstances;

        var (env, secretEnv) = AppEnvReader.Read(r, m, key, name, stack, secrets);
        var needs = AppNeedsReader.Read(r, m, key, name);

        RateLimitSettings? rateLimit = null;
        if (m.TryGetValue("rateLimit", out var rlNode))
        {
            rateLimit = Edge.RouteSettingsReader.ReadRateLimit(r, rlNode, $"{key}.rateLimit");
            if (routes.Count == 0) r.Error($"{key}.rateLimit", "is set on an app without routes.", "Remove it, or add routes.");
        }

        var volumes = AppVolumesReader.Read(r, m, key);
        var talksTo = r.OptionalList(m, "talksTo", key);
        var release = AppJobsReader.ReadRelease(r, m, key);
        var jobs = AppJobsReader.ReadJobs(r, m, key);

        return Blueprint.AppEgress.Read(r, m, key, Edge.AppEdgeSettings.Read(r, m, key, new AppSettings
        {
            Index = index,
            Name = name,
            Image = image,
            Port = port,
            Routes = routes.ToImmutable(),
            HealthPath = healthPath,
            HealthCommand = healthCommand,
            Command = command,
            Cpus = cpus,
            MemoryMb = memory,
            Instances = instances,
            Env = env,
            SecretEnv = secretEnv,
            Database = needs.Database,
            DatabaseOf = needs.DatabaseOf,
            RedisInstance = needs.Redis,
            RedisOf = needs.RedisOf,
            Buckets = needs.Buckets,
            RateLimit = rateLimit,
            Volumes = volumes,
            TalksTo = talksTo,
            Release = release,
            Jobs = jobs,
        }));
    }
}
