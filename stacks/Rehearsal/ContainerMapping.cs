using System.Formats.Tar;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Docker.DotNet.Models;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Canonical;
using Platform.Stacks.Model;

namespace Platform.Stacks.Rehearsal;

/// <summary>
/// The core's <see cref="ContainerConfig"/> as the Engine API's create call, field by field, as the Pulumi shell
/// copies it onto <c>docker.Container</c>. The rehearsal's local adaptations are applied to the record before
/// (see <see cref="RehearsalPlan"/>); nothing here decides anything.
/// </summary>
public static class ContainerMapping
{
    /// <summary>
    /// The create parameters of <paramref name="c"/> on its first network; <see cref="MoreNetworks"/> are
    /// connected before it starts (API 1.41 takes one network at create). <paramref name="render"/> gives a
    /// text's value: the secrets' values to run it, <see cref="SecretText.Masked"/> to hash it.
    /// </summary>
    public static CreateContainerParameters Create(ContainerConfig c, string name, Func<SecretText, string> render,
        IReadOnlyDictionary<string, string> labels)
    {
        var first = c.Networks.IsDefaultOrEmpty ? null : c.Networks[0];
        var ports = c.Ports.GroupBy(p => $"{p.ContainerPort.ToString(CultureInfo.InvariantCulture)}/{p.Protocol}", StringComparer.Ordinal).ToList();
        return new CreateContainerParameters
        {
            Name = name,
            Image = c.Image,
            Entrypoint = c.Entrypoint.IsDefaultOrEmpty ? null : [.. c.Entrypoint],
            Cmd = c.Command.IsDefaultOrEmpty ? null : [.. c.Command],
            Env = [.. c.Env.Select(kv => kv.Key + "=" + render(kv.Value))],
            Labels = new Dictionary<string, string>(c.Labels.Concat(labels), StringComparer.Ordinal),
            User = c.User,
            StopSignal = c.StopSignal,
            // As the shell: only a drained container carries its grace as its own stop timeout (an engine-side stop, a reboot).
            StopTimeout = c.DrainSeconds is null ? null : TimeSpan.FromSeconds(c.StopGraceSeconds),
            ExposedPorts = ports.Count == 0 ? null : ports.ToDictionary(g => g.Key, _ => default(EmptyStruct)),
            Healthcheck = c.Healthcheck.Tests.IsDefaultOrEmpty ? null : new HealthConfig
            {
                Test = [.. c.Healthcheck.Tests],
                Interval = GoDuration(c.Healthcheck.Interval),
                Timeout = GoDuration(c.Healthcheck.Timeout),
                StartPeriod = GoDuration(c.Healthcheck.StartPeriod).Ticks * 100,
                Retries = c.Healthcheck.Retries,
            },
            HostConfig = new HostConfig
            {
                NetworkMode = first?.Network,
                Memory = c.MemoryMb * 1024L * 1024L,
                MemorySwap = c.MemorySwapMb * 1024L * 1024L,
                NanoCPUs = (long)Math.Round(decimal.Parse(c.Cpus.TrimEnd('.'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) * 1_000_000_000m),
                RestartPolicy = new RestartPolicy { Name = Restart(c.Restart) },
                LogConfig = new LogConfig { Type = c.LogDriver, Config = c.LogOpts.ToDictionary(StringComparer.Ordinal) },
                // The shell gives mounts as the provider's `volumes` blocks, which it sends as binds: a missing host
                // directory is made (root-owned) by the engine rather than refused, as Mounts would.
                Binds = [.. c.Mounts.Select(m => $"{m.Source}:{m.Target}{(m.ReadOnly ? ":ro" : "")}")],
                Tmpfs = c.Tmpfs.Count == 0 ? null : c.Tmpfs.ToDictionary(StringComparer.Ordinal),
                PortBindings = ports.Count == 0 ? null : ports.ToDictionary(g => g.Key,
                    g => (IList<global::Docker.DotNet.Models.PortBinding>)[.. g.Select(p => new global::Docker.DotNet.Models.PortBinding
                    {
                        HostIP = p.HostIp,
                        HostPort = p.HostPort.ToString(CultureInfo.InvariantCulture),
                    })]),
                ExtraHosts = c.Hosts.IsDefaultOrEmpty ? null : [.. c.Hosts.Select(h => $"{h.Host}:{h.Ip}")],
                ReadonlyRootfs = c.ReadOnlyRootFilesystem,
                CapDrop = c.CapDrop.IsDefaultOrEmpty ? null : [.. c.CapDrop],
                CapAdd = c.CapAdd.IsDefaultOrEmpty ? null : [.. c.CapAdd],
                SecurityOpt = c.SecurityOpts.IsDefaultOrEmpty ? null : [.. c.SecurityOpts],
                ShmSize = c.ShmSizeMb is { } shm ? shm * 1024L * 1024L : 0,
            },
            NetworkingConfig = first is null ? null : new NetworkingConfig
            {
                EndpointsConfig = new Dictionary<string, EndpointSettings>(StringComparer.Ordinal)
                {
                    [first.Network] = new() { Aliases = [.. first.Aliases] },
                },
            },
        };
    }

    /// <summary>The networks after the first, each with its aliases: connected before the container starts.</summary>
    public static IEnumerable<Blueprint.NetworkAttachment> MoreNetworks(ContainerConfig c) => c.Networks.Skip(1);

    /// <summary>
    /// A hash of everything the container is made of (its create parameters and uploads with secrets masked,
    /// so a secret's value never reaches a label): equal hashes mean nothing to recreate.
    /// </summary>
    public static string Hash(ContainerConfig c)
    {
        var create = Create(c, "", t => t.Masked, new Dictionary<string, string>());
        var sb = new StringBuilder(JsonSerializer.Serialize(create));
        foreach (var n in MoreNetworks(c)) sb.Append('\n').Append(n.Network).Append(':').AppendJoin(',', n.Aliases);
        foreach (var f in c.Uploads) sb.Append('\n').Append(f.Path).Append('\n').Append(f.Content.Masked);
        sb.Append("\nstart=").Append(c.Start).Append(" once=").Append(c.RunToCompletion);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..16];
    }

    /// <summary>The uploads as one tar archive to extract at <c>/</c> (the engine makes missing parent directories).</summary>
    public static MemoryStream UploadsArchive(ContainerConfig c, Func<SecretText, string> render)
    {
        var stream = new MemoryStream();
        using (var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var f in c.Uploads)
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, f.Path.TrimStart('/'))
                {
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes(render(f.Content))),
                };
                tar.WriteEntry(entry);
            }
        }
        stream.Position = 0;
        return stream;
    }

    /// <summary>A Go duration as <see cref="DockerForms.Duration"/> writes it ("1m30s") back to a time span.</summary>
    public static TimeSpan GoDuration(string text)
    {
        var total = TimeSpan.Zero;
        var number = 0;
        foreach (var ch in text)
        {
            if (char.IsAsciiDigit(ch)) { number = number * 10 + (ch - '0'); continue; }
            total += ch switch
            {
                'h' => TimeSpan.FromHours(number),
                'm' => TimeSpan.FromMinutes(number),
                's' => TimeSpan.FromSeconds(number),
                _ => throw new FormatException($"'{text}' is not a duration of hours, minutes and seconds."),
            };
            number = 0;
        }
        return total;
    }

    private static RestartPolicyKind Restart(string policy) => policy switch
    {
        "no" => RestartPolicyKind.No,
        "always" => RestartPolicyKind.Always,
        "on-failure" => RestartPolicyKind.OnFailure,
        "unless-stopped" => RestartPolicyKind.UnlessStopped,
        _ => throw new InvalidOperationException($"Unknown restart policy '{policy}'."),
    };
}
