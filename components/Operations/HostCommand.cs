using System.Security.Cryptography;
using System.Text;
using Platform.Components.Secrets;
using Platform.Stacks.Blueprint;
using Pulumi;
using Remote = Pulumi.Command.Remote;

namespace Platform.Components.Operations;

/// <summary>Arguments of <see cref="HostCommand"/>.</summary>
public sealed class HostCommandArgs
{
    /// <summary>The command, its standard input and the services it needs.</summary>
    public required HostCommandSpec Spec { get; init; }

    /// <summary>The server's IPv4 address.</summary>
    public required Input<string> Host { get; init; }

    /// <summary>The user the command logs in as.</summary>
    public required string User { get; init; }

    /// <summary>Resolves the secrets used in the standard input.</summary>
    public required PlatformSecrets Secrets { get; init; }

    /// <summary>What must exist first: the readiness gate and the services the spec names.</summary>
    public required IReadOnlyList<Resource> DependsOn { get; init; }
}

/// <summary>
/// A command run on the server over SSH (the SSH agent's keys), with its input as a secret. It runs
/// again whenever the command or its input changes: the triggers hold their hashes.
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

        var commandArgs = new Remote.CommandArgs
        {
            Connection = new Remote.Inputs.ConnectionArgs { Host = args.Host, User = args.User },
            Create = spec.Create,
            Triggers =
            {
                (Input<object>)Output.Create<object>(Sha256(spec.Create)),
                (Input<object>)stdinHash.Apply(h => (object)h),
            },
        };
        if (Stdin is not null) commandArgs.Stdin = Stdin;

        Command = new Remote.Command($"{name}-command", commandArgs, new CustomResourceOptions
        {
            Parent = this,
            DependsOn = args.DependsOn.ToList(),
            AdditionalSecretOutputs = ["stdout", "stderr"],
        });
        RegisterOutputs();
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
