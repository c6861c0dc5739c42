using System.Collections.Immutable;
using Platform.Stacks.Model;

namespace Platform.Stacks.Operations;

/// <summary>
/// An environment variable of a container. <see cref="Value"/> may contain secrets (by reference);
/// the Pulumi shell resolves it inside an <c>Output</c> so it stays secret.
/// </summary>
public sealed record EnvVar(string Name, SecretText Value)
{
    public static EnvVar Plain(string name, string value) => new(name, SecretText.Plain(value));

    public static EnvVar Secret(string name, string secretName) => new(name, SecretText.Of(new SecretPart(secretName)));

    public override string ToString() => $"{Name}={Value.Masked}";
}

/// <summary>How a <see cref="Mount"/> is backed.</summary>
public enum MountKind
{
    /// <summary>A named Docker volume (created by the blueprint, survives container replacement).</summary>
    Volume,

    /// <summary>A path on the host (only the Docker socket is mounted this way).</summary>
    Bind,
}

/// <summary>A volume or host path mounted into a container.</summary>
public sealed record Mount(MountKind Kind, string Source, string Target, bool ReadOnly)
{
    public static Mount Volume(string name, string target, bool readOnly = false) => new(MountKind.Volume, name, target, readOnly);

    /// <summary>The Docker API socket, read-only mount (the API itself is still read-write: see docs/operations.md).</summary>
    public static Mount DockerSocket() => new(MountKind.Bind, "/var/run/docker.sock", "/var/run/docker.sock", true);
}

/// <summary>A file the Pulumi shell uploads into a container before it starts (docker <c>uploads</c>).</summary>
public sealed record UploadedFile(string Path, SecretText Content);

/// <summary>Whether a container runs for good or once.</summary>
public enum RunMode
{
    /// <summary>Long-running, restart policy <c>unless-stopped</c>.</summary>
    Service,

    /// <summary>Runs to completion once per change (restart <c>no</c>); the shell waits for exit code 0 (docker <c>mustRun</c>/<c>wait</c>).</summary>
    OneShot,
}

/// <summary>
/// Everything the blueprint needs to create one operations container (the backup runner, host metrics,
/// AutoKuma, the Uptime Kuma first-admin setup): image, command, env, labels, mounts, networks, files.
/// The shell maps it one to one; it makes no decision of its own.
/// </summary>
public sealed record OpsContainer(
    string Name,
    string Image,
    ImmutableArray<string> Command,
    ImmutableArray<EnvVar> Env,
    ImmutableSortedDictionary<string, string> Labels,
    ImmutableArray<Mount> Mounts,
    ImmutableArray<string> Networks,
    ImmutableArray<UploadedFile> Files,
    RunMode Mode,
    int MemoryMb)
{
    /// <summary>Every secret the container's env and files reference, sorted, each once.</summary>
    public ImmutableArray<string> Secrets => Env.SelectMany(e => e.Value.Secrets)
        .Concat(Files.SelectMany(f => f.Content.Secrets))
        .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToImmutableArray();

    /// <summary>The named volumes this container mounts (the blueprint creates them), sorted.</summary>
    public ImmutableArray<string> Volumes => Mounts.Where(m => m.Kind == MountKind.Volume)
        .Select(m => m.Source).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToImmutableArray();
}

/// <summary>
/// A secret that the blueprint must generate (a Pulumi <c>RandomPassword</c>) for the operations parts.
/// </summary>
/// <param name="Name">The secret's name, as referenced by <see cref="SecretPart"/>s.</param>
/// <param name="Length">Number of characters.</param>
/// <param name="AlphanumericOnly">True when only letters and digits are allowed (Uptime Kuma push tokens must be 32 of them).</param>
/// <param name="Purpose">One line for the plan and the docs.</param>
public sealed record GeneratedSecret(string Name, int Length, bool AlphanumericOnly, string Purpose);
