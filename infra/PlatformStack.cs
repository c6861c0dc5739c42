using Platform.Components.Dns;
using Platform.Components.Docker;
using Platform.Components.Secrets;
using Platform.Components.Server;
using Platform.Components.Apps;
using Platform.Components.Backups;
using Platform.Components.Data;
using Platform.Components.Edge;
using Platform.Components.Monitoring;
using Platform.Components.Parts;
using Platform.Components.Storage;
using Platform.Stacks.Parts;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;
using Pulumi;

namespace Platform.Infra;

/// <summary>
/// The stack: reads the settings once through the core, builds the blueprint, and composes the
/// components from it. Nothing here decides anything; it wires blueprint parts together.
/// </summary>
public static class PlatformStack
{
    /// <summary>The program Pulumi runs: settings of the current stack, then <see cref="Deploy"/>.</summary>
    public static IDictionary<string, object?> Run() => Deploy(Checked(BlueprintBuilder.Build(LoadSettings())));

    /// <summary>The blueprint, if it keeps every platform rule; otherwise the run ends before any resource is registered.</summary>
    public static PlatformBlueprint Checked(PlatformBlueprint blueprint)
    {
        var violations = Stacks.Policy.Policies.Check(blueprint);
        if (!violations.IsEmpty)
            throw new RunException($"Stack '{blueprint.Stack}' breaks {violations.Length} platform rule(s); nothing was created:\n"
                + string.Join("\n", violations.Select(v => "  - " + v)));
        return blueprint;
    }

    /// <summary>
    /// The current stack's settings, from the configuration Pulumi hands the program (the stack file merged
    /// with ESC environments, <c>--config</c> flags and <c>config set --path</c> edits), through the same reader
    /// and validation as the offline <c>plan</c>. Invalid settings end the run with the core's message (every
    /// error, each with its fix) before any resource is registered.
    /// </summary>
    public static StackSettings LoadSettings()
    {
        try
        {
            return SettingsReader.Read(PulumiConfig.FromEnvironment(Deployment.Instance.ProjectName, Deployment.Instance.StackName));
        }
        catch (InvalidStackException e)
        {
            // RunException: printed as the message alone, without a stack trace.
            throw new RunException(e.Message);
        }
    }

    /// <summary>
    /// Creates every resource of <paramref name="blueprint"/> and returns the stack outputs.
    /// <paramref name="transformations"/> apply to every component and, through them, to every resource
    /// (tests use them to observe parents and options). Default: none.
    /// </summary>
    public static IDictionary<string, object?> Deploy(PlatformBlueprint blueprint, IReadOnlyList<ResourceTransformation>? transformations = null)
    {
        ComponentResourceOptions Options() => new() { ResourceTransformations = transformations?.ToList() ?? [] };
        if (blueprint.IsSplit)
            throw new RunException($"Stack '{blueprint.Stack}' is split over several servers (platform:servers); this program deploys single-server stacks only so far. Nothing was created.");

        var secrets = new PlatformSecrets("secrets", new PlatformSecretsArgs { Secrets = blueprint.Secrets }, Options());

        var firewall = new PlatformFirewall("firewall", new PlatformFirewallArgs
        {
            Spec = blueprint.Firewall,
            Labels = blueprint.Server.Labels,
        }, Options());
        var server = new PlatformServer("server", new PlatformServerArgs { Spec = blueprint.Server, Firewall = firewall, DataVolume = blueprint.DataVolume }, Options());

        _ = new DnsRecords("dns", new DnsRecordsArgs
        {
            Zone = blueprint.Zone,
            Records = blueprint.DnsRecords,
            Ipv4Address = server.Ipv4Address,
            Ipv6Address = server.Ipv6Address,
        }, Options());

        var docker = new DockerHost("docker", new DockerHostArgs
        {
            Server = server,
            Registries = [.. blueprint.Registries.Select(r => (r.Address, r.Username, Output.CreateSecret(secrets.Render(Stacks.Model.SecretText.Of(new Stacks.Model.SecretPart(r.PasswordSecret))))))],
        }, Options());
        var networks = new DockerNetworks("networks", new DockerNetworksArgs { Networks = blueprint.Networks, Docker = docker.Target }, Options());
        var images = new DockerImages("images", new DockerImagesArgs { Images = blueprint.Services.Select(s => s.Image), Docker = docker.Target }, Options());
        var infrastructure = new PartInfrastructure
        {
            Docker = docker.Target,
            Ssh = server.Ssh,
            Networks = networks,
            Images = images,
            Secrets = secrets,
        };
        ComposeParts(blueprint, infrastructure, Options);

        var outputs = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [ShellDecisions.ServerIpv4Output] = server.Ipv4Address,
            [ShellDecisions.ServerIpv6Output] = server.Ipv6Address,
        };
        foreach (var output in blueprint.Outputs)
        {
            var value = secrets.Render(output.Value);
            outputs[output.Name] = output.Secret ? Output.CreateSecret(value) : value;
        }
        return outputs;
    }

    /// <summary>
    /// One component per part, in the order the core's <see cref="PartGraph"/> gives: each part is handed
    /// the parts it depends on (typed), never names or ids.
    /// </summary>
    public static IReadOnlyList<PlatformPart> ComposeParts(PlatformBlueprint blueprint, PartInfrastructure infrastructure, Func<ComponentResourceOptions> options)
    {
        Traefik? edge = null;
        Postgres? postgres = null;
        MariaDb? mariaDb = null;
        Redis? redis = null;
        Minio? minio = null;
        UptimeKuma? monitoring = null;
        var parts = new List<PlatformPart>();
        foreach (var node in PartGraph.Of(blueprint))
        {
            PlatformPart part = node.Id.Kind switch
            {
                PartKind.Edge => edge = new Traefik(new TraefikArgs { Spec = node, Infrastructure = infrastructure }, options()),
                PartKind.Postgres => postgres = new Postgres(new PostgresArgs { Spec = node, Infrastructure = infrastructure }, options()),
                PartKind.MariaDb => mariaDb = new MariaDb(new MariaDbArgs { Spec = node, Infrastructure = infrastructure }, options()),
                PartKind.Redis => redis = new Redis(new RedisArgs { Spec = node, Infrastructure = infrastructure }, options()),
                PartKind.ObjectStorage => minio = new Minio(new MinioArgs { Spec = node, Infrastructure = infrastructure }, options()),
                PartKind.Monitoring => monitoring = new UptimeKuma(new UptimeKumaArgs { Spec = node, Infrastructure = infrastructure, Postgres = postgres }, options()),
                PartKind.Backups => new Backups(new BackupsArgs
                {
                    Spec = node, Infrastructure = infrastructure, Postgres = postgres, MariaDb = mariaDb, Redis = redis, Minio = minio, Monitoring = monitoring,
                    Apps = [.. parts.OfType<App>()],
                }, options()),
                PartKind.App => new App(new AppArgs
                {
                    Spec = node, Infrastructure = infrastructure, Edge = edge, Postgres = postgres, MariaDb = mariaDb, Redis = redis, Minio = minio,
                }, options()),
                _ => throw new RunException($"The blueprint has a part of kind {node.Id.Kind} that this program cannot deploy."),
            };
            parts.Add(part);
        }
        return parts;
    }
}
