using System.Collections.Immutable;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Storage;

/// <summary>MinIO's console: the subdomain it is served on and the only client CIDRs let in.</summary>
public sealed record MinioConsoleSettings(string Host, ImmutableArray<string> AllowCidrs);
