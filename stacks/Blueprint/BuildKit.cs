using System.Collections.Immutable;
using Platform.Stacks.Model;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Blueprint;

/// <summary>
/// The helpers every part's spec builder shares: a platform container's common shape, a network attachment, the dump
/// hooks' mounts, a host command that installs files for a container. Nothing part-specific lives here.
/// </summary>
internal static class BuildKit
{
    /// <summary>A platform container of fixed name, replaced delete-before-create, with the platform's limits, restart and log settings.</summary>
    internal static ServiceSpec Singleton(PartId part, string name, ServiceKind kind, ServiceSettings svc, ImmutableArray<NetworkAttachment> networks,
        ImmutableArray<string> health, int startPeriod = 30) => new()
    {
        Name = name,
        Part = part,
        Kind = kind,
        ContainerName = name,
        Replacement = Replacement.DeleteBeforeCreate,
        Image = svc.Image,
        Networks = networks,
        HealthCheck = Conventions.Health(health, startPeriod),
        Limits = new ResourceLimits(svc.MemoryMb, svc.Cpus),
        RestartPolicy = Conventions.RestartPolicy,
        Log = Conventions.Log,
    };

    /// <summary>A secret the program generates (<c>RandomPassword</c>, alphanumeric) for <paramref name="purpose"/>.</summary>
    internal static SecretSpec Generated(string name, string purpose) => new(name, SecretSource.Generated, Conventions.PasswordLength, null, purpose);

    /// <summary>Attached to <paramref name="network"/> under <paramref name="alias"/>.</summary>
    internal static NetworkAttachment On(string network, string alias) => new(network, [alias]);

    /// <summary>Plain (non-secret) env values, sorted by name.</summary>
    internal static ImmutableSortedDictionary<string, SecretText> Plain(Dictionary<string, string> env) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, env.Select(kv => KeyValuePair.Create(kv.Key, SecretText.Plain(kv.Value))));

    /// <summary>The dump volumes a data container mounts for the backup runner's hooks (none without backups).</summary>
    internal static IEnumerable<MountSpec> HookMounts(Operations.DumpHooks? hooks) =>
        hooks?.Mounts.Select(m => new MountSpec(MountKind.Volume, m.Source, m.Target, m.ReadOnly)) ?? [];

    /// <summary>
    /// A host command that writes files into a directory on the server (owned by the uid the container runs
    /// as, mode 0600, each replaced atomically) and runs <paramref name="reload"/> if the container runs.
    /// </summary>
    internal static HostCommandSpec HostFilesCommand(string name, string description, string dir, int uid, int gid,
        IReadOnlyList<(string File, SecretText Content)> files, string container, SecretText reload, PartId part)
    {
        var b = new SecretTextBuilder()
            .Line("set -eu")
            .Line($"sudo install -d -o {uid} -g {gid} -m 0750 {dir}");
        foreach (var (file, content) in files)
        {
            var marker = "PLATFORM_" + file.ToUpperInvariant().Replace('.', '_');
            b.Line($"sudo install -o {uid} -g {gid} -m 0600 /dev/null {dir}/{file}.new");
            b.Line($"sudo tee {dir}/{file}.new >/dev/null <<'{marker}'");
            b.Append(content);
            if (!content.Masked.EndsWith('\n')) b.Line();
            b.Line(marker);
        }
        foreach (var (file, _) in files) b.Line($"sudo mv -f {dir}/{file}.new {dir}/{file}");
        b.Text($"if [ \"$(docker inspect -f '{{{{.State.Running}}}}' {container} 2>/dev/null)\" = true ]; then ").Append(reload).Line("; fi");
        return new HostCommandSpec(name, description, "sh -s", b.Build(), [])
        {
            Part = part,
            Reload = new HostReload(container, reload.Masked == ShellDecisions.RestartCommand(container)),
        };
    }
}
