using Pulumi;

namespace Platform.Components.Server;

/// <summary>
/// Where host commands run: an SSH address and user (the agent's keys), the host key to pin, and the
/// step that must have finished first (a new server's readiness gate). Host key and gate are optional,
/// for a server the caller manages.
/// </summary>
public sealed record SshTarget(Input<string> Host, string User, Input<string>? HostKey, CustomResource? Readiness);
