using System.Collections.Immutable;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Server;

public sealed record ServerSettings(
    string Type,
    string Location,
    string Image,
    ImmutableArray<string> SshPublicKeys,
    string DeployUser,
    int OsReserveMb);
