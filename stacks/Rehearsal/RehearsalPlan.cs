using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Canonical;
using Platform.Stacks.Model;

namespace Platform.Stacks.Rehearsal;

/// <summary>Where the rehearsal runs: the image map, the directory standing in for the server's files, the engine's socket.</summary>
public sealed record RehearsalTarget(ImageMap Images, string HostRoot, string? EngineSocket)
{
    /// <summary>The server's directory of platform files (bind-mount sources, host commands' files).</summary>
    public const string ServerFiles = "/srv/platform";
    public const string ServerDockerSocket = "/var/run/docker.sock";
}

/// <summary>One container to apply: its configuration after the local adaptations, and what must be done first.</summary>
public sealed record PlannedContainer(ContainerConfig Config, string Hash, bool StandIn, ImmutableArray<string> After)
{
    public string Id => "container:" + Config.Service;
}

/// <summary>One host command to run through a local shell; <see cref="SkipReason"/> says why one is not run.</summary>
public sealed record PlannedCommand(string Name, string Create, SecretText? Stdin, string Hash, string? SkipReason,
    ImmutableArray<string> Services, ImmutableArray<string> After)
{
    public string Id => "command:" + Name;
}

/// <summary>
/// One server's Docker layer of a blueprint, adapted to a local engine: networks, volumes, containers and host
/// commands with their order, and every adaptation in words (printed, never silent). Pure: nothing here
/// talks to an engine.
/// </summary>
public sealed record RehearsalPlan(
    string Stack,
    ServerSpec Server,
    ImmutableArray<NetworkSpec> Networks,
    ImmutableArray<VolumeSpec> Volumes,
    ImmutableArray<PlannedContainer> Containers,
    ImmutableArray<PlannedCommand> Commands,
    ImmutableArray<string> Adaptations)
{
    /// <summary>Every step's id (containers and commands) in an order that respects every dependency.</summary>
    public ImmutableArray<string> Order { get; init; } = [];

    public static RehearsalPlan Build(PlatformBlueprint blueprint, ServerSpec server, RehearsalTarget target)
    {
        var key = server.Key;
        var adaptations = new SortedSet<string>(StringComparer.Ordinal);
        var services = blueprint.Services.Where(s => s.Host == key).ToList();
        var names = services.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var commandSpecs = blueprint.HostCommands.Where(c => c.Host == key).ToList();
        var commandNames = commandSpecs.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);

        var volumes = blueprint.Volumes.Where(v => v.Host == key).ToImmutableArray();
        if (volumes.Any(v => v.HostPath is not null))
        {
            adaptations.Add("volumes: the server keeps durable volumes on its Hetzner data volume; here every volume is in Docker's own storage");
            volumes = [.. volumes.Select(v => v with { HostPath = null })];
        }

        var containers = new List<PlannedContainer>();
        var standIns = new HashSet<string>(StringComparer.Ordinal);
        var substituted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in services)
        {
            var config = ContainerConfigs.Of(spec);
            var standIn = false;
            if (target.Images.Resolve(config.Image) is { } local)
            {
                standIn = local.Image.StandIn;
                substituted.Add(spec.Name);
                adaptations.Add($"image {config.Image} -> {local.Image.Image}{(standIn ? " (a stand-in: keeps the ports, health command and user, not the program)" : "")}");
                config = config with { Image = local.Image.Image };
                if (standIn && config.ContainerName is { } n) standIns.Add(n);
            }
            config = Adapt(config, target, adaptations);
            containers.Add(new PlannedContainer(config, ContainerMapping.Hash(config), standIn,
                [.. spec.DependsOn.Where(names.Contains).Select(d => "container:" + d),
                 .. spec.AfterHostCommands.Where(commandNames.Contains).Select(c => "command:" + c)]));
        }

        var commands = new List<PlannedCommand>();
        if (commandSpecs.Count > 0)
            adaptations.Add("host commands: run through a local shell instead of SSH; sudo runs the command as it is; docker talks to the engine in DOCKER_HOST");
        foreach (var c in commandSpecs)
        {
            var create = RewritePaths(c.Create, target);
            var stdin = c.Stdin is null ? null : new SecretText([.. c.Stdin.Parts.Select(p => p is LiteralPart l ? new LiteralPart(RewritePaths(l.Text, target)) : p)]);
            var text = create + "\n" + stdin?.Masked;
            var into = standIns.FirstOrDefault(n => Regex.IsMatch(text, $@"docker exec\b[^\n;|&]*\s{Regex.Escape(n)}(\s|$)"));
            var skip = into is not null ? $"it runs its work inside {into}, a stand-in without the real program"
                // The guard compares the data with the version the image's tag names; a local substitute is another version.
                : c.Guards?.Service is { } guarded && substituted.Contains(guarded) ? $"it compares {guarded}'s data with the version its image's tag names, and here the image is a local substitute"
                // Timers (backups, app jobs) are the server's systemd units: the rehearsal never changes this machine's system.
                : text.Contains("systemctl", StringComparison.Ordinal) ? "it installs systemd units on the server; the rehearsal does not change this machine's system"
                : null;
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
            commands.Add(new PlannedCommand(c.Name, create, stdin, hash, skip,
                [.. c.DependsOnServices.Where(names.Contains)],
                [.. c.DependsOnServices.Where(names.Contains).Select(s => "container:" + s),
                 .. c.AfterCommands.Where(commandNames.Contains).Select(a => "command:" + a)]));
        }
        if (commands.Any(c => c.Create.Contains(target.HostRoot, StringComparison.Ordinal) || c.Stdin?.Masked.Contains(target.HostRoot, StringComparison.Ordinal) == true)
            || containers.Any(c => c.Config.Mounts.Any(m => m.Source.StartsWith(target.HostRoot, StringComparison.Ordinal))))
            adaptations.Add($"server files: {RehearsalTarget.ServerFiles} is {target.HostRoot}{RehearsalTarget.ServerFiles} (bind-mount sources and host commands)");

        var plan = new RehearsalPlan(blueprint.Stack, server,
            [.. blueprint.Networks.Where(n => n.Host == key)], volumes, [.. containers], [.. commands], [.. adaptations]);
        return plan with { Order = TopologicalOrder(plan) };
    }

    /// <summary>The local adaptations of one container: no ACME, loopback-only ports, local paths.</summary>
    private static ContainerConfig Adapt(ContainerConfig c, RehearsalTarget target, SortedSet<string> adaptations)
    {
        static bool Acme(string arg) =>
            arg.StartsWith("--certificatesresolvers.", StringComparison.Ordinal)
            || arg.StartsWith("--entrypoints.websecure.http.tls.certresolver=", StringComparison.Ordinal)
            || arg.StartsWith("--entrypoints.websecure.http.tls.domains", StringComparison.Ordinal);
        if (c.Command.Any(Acme) || c.Labels.Keys.Any(k => k.EndsWith(".tls.certresolver", StringComparison.Ordinal)))
        {
            adaptations.Add("no ACME: Traefik gets no certificate resolver and routers no certresolver label; it serves its default (self-signed) certificate");
            c = c with
            {
                Command = [.. c.Command.Where(a => !Acme(a))],
                Labels = c.Labels.RemoveRange(c.Labels.Keys.Where(k => k.EndsWith(".tls.certresolver", StringComparison.Ordinal))),
                Env = c.Env.Remove("CF_DNS_API_TOKEN"),
            };
        }
        if (!c.Ports.IsDefaultOrEmpty)
        {
            adaptations.Add("published ports: bound to 127.0.0.1 only (the server binds 0.0.0.0 and ::); no Hetzner firewall, so no Cloudflare-only allowlist either");
            c = c with
            {
                Ports = DockerForms.Ports(c.Ports.Select(p => p with { HostIp = "127.0.0.1" }).Distinct()),
            };
        }
        if (c.Mounts.Any(m => m.Kind == MountKind.Bind && m.Source == RehearsalTarget.ServerDockerSocket) && target.EngineSocket is { } socket)
        {
            adaptations.Add($"docker socket: {RehearsalTarget.ServerDockerSocket} is the rehearsal engine's {socket}");
            c = c with { Mounts = [.. c.Mounts.Select(m => m.Kind == MountKind.Bind && m.Source == RehearsalTarget.ServerDockerSocket ? m with { Source = socket } : m)] };
        }
        return c with { Mounts = [.. c.Mounts.Select(m => m.Kind == MountKind.Bind ? m with { Source = RewritePaths(m.Source, target) } : m)] };
    }

    private static string RewritePaths(string text, RehearsalTarget target) =>
        text.Replace(RehearsalTarget.ServerFiles, target.HostRoot + RehearsalTarget.ServerFiles, StringComparison.Ordinal);

    private static ImmutableArray<string> TopologicalOrder(RehearsalPlan plan)
    {
        var after = plan.Containers.ToDictionary(c => c.Id, c => c.After, StringComparer.Ordinal);
        foreach (var c in plan.Commands) after[c.Id] = c.After;
        var done = new List<string>();
        var left = new SortedSet<string>(after.Keys, StringComparer.Ordinal);
        while (left.Count > 0)
        {
            var ready = left.FirstOrDefault(id => after[id].All(d => !left.Contains(d)))
                ?? throw new InvalidOperationException($"The blueprint's steps wait for each other in a cycle: {string.Join(", ", left)}.");
            done.Add(ready);
            left.Remove(ready);
        }
        return [.. done];
    }
}
