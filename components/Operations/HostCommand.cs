using System.Security.Cryptography;
using System.Text;
using Platform.Components.Secrets;
using Platform.Components.Server;
using Platform.Stacks.Blueprint;
using Pulumi;
using Remote = Pulumi.Command.Remote;

namespace Platform.Components.Operations;

/// <summary>Arguments of <see cref="HostCommand"/>.</summary>
public sealed class HostCommandArgs
{
    /// <summary>The command, its standard input and the services it needs.</summary>
    public required HostCommandSpec Spec { get; init; }

    /// <summary>Where the command runs (address, user, pinned host key).</summary>
    public required SshTarget Ssh { get; init; }

    /// <summary>Resolves the secrets used in the standard input.</summary>
    public required PlatformSecrets Secrets { get; init; }

    /// <summary>
    /// What must exist first (besides the target's readiness gate): the containers and host commands the spec names.
    /// When any of them is replaced (a new id), the command runs again.
    /// </summary>
    public required IReadOnlyList<CustomResource> DependsOn { get; init; }
}

/// <summary>
/// A command run on the server over SSH (the SSH agent's keys, the server's pinned host key), with its
/// input as a secret. It runs again whenever the command or its input changes, or whatever it depends
/// on is replaced: the triggers hold their hashes and ids.
/// </summary>
public sealed class HostCommand : ComponentResource
{
    public Remote.Command Command { get; }

    /// <summary>The standard input, rendered (secret when it uses secrets); null when the spec has none.</summary>
    public Output<string>? Stdin { get; }

    public HostCommand(string name, HostCommandArgs args, ComponentResourceOptions? opts = null)
        : base("platform:operations:HostCommand", name, opts)
    {
        var spec = args.Spec;
        Stdin = spec.Stdin is null ? null : Output.CreateSecret(args.Secrets.Render(spec.Stdin));
        var stdinHash = Stdin?.Apply(Sha256) ?? Output.Create(Sha256(""));
        // The readiness gate (a new id per server) is among them, so a new server runs every command again.
        var dependencies = args.DependsOn.Concat(args.Ssh.Readiness is { } ready ? [ready] : Array.Empty<CustomResource>()).Distinct().ToList();
        var dependencyIds = Output.All(dependencies.Select(d => d.Id).ToArray())
            .Apply(ids => Sha256(string.Join("\n", ids)));

        var commandArgs = new Remote.CommandArgs
        {
            Connection = new Remote.Inputs.ConnectionArgs
            {
                Host = args.Ssh.Host,
                User = args.Ssh.User,
                HostKey = args.Ssh.HostKey,
                PerDialTimeout = ShellDecisions.PerDialTimeoutSeconds,
            },
            Create = spec.Create,
            Triggers =
            {
                (Input<object>)Output.Create<object>(Sha256(spec.Create)),
                (Input<object>)stdinHash.Apply(h => (object)h),
                (Input<object>)dependencyIds.Apply(h => (object)h),
            },
        };
        if (Stdin is not null) commandArgs.Stdin = Stdin;
        if (spec.Delete is not null) commandArgs.Delete = spec.Delete;

        Command = new Remote.Command($"{name}-command", commandArgs, new CustomResourceOptions
        {
            Parent = this,
            DependsOn = dependencies.Select(d => (Resource)d).ToList(),
            AdditionalSecretOutputs = ["stdout", "stderr"],
        });
        RegisterOutputs();
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
