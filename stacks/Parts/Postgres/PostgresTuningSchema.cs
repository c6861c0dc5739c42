using System.Collections.Immutable;
using Platform.Stacks.Settings;
using static Platform.Stacks.Settings.Field;

namespace Platform.Stacks.Parts.Postgres;

/// <summary>The keys of <c>platform:postgresTuning</c>, which an app's needs.database may set for its own role too.</summary>
public static class PostgresTuningSchema
{
    public static readonly ImmutableArray<FieldDef> Fields =
    [
        Int("logMinDurationStatementMs", "Statements slower than this many milliseconds are logged with their duration; -1: none.", -1, Data.PostgresTuningValidation.MaxMs),
        Int("statementTimeoutMs", $"Cancel a statement after this many milliseconds: 0 (none) or from {Data.PostgresTuningValidation.MinStatementTimeoutMs}.", 0, Data.PostgresTuningValidation.MaxMs),
        Int("idleInTransactionSessionTimeoutMs", $"End a session idle inside a transaction after this many milliseconds: 0 (none) or from {Data.PostgresTuningValidation.MinIdleInTransactionTimeoutMs}.", 0, Data.PostgresTuningValidation.MaxMs),
    ];

    public static readonly ObjectDef Tuning = new("postgresTuning", "PostgreSQL's slow-query log and the app roles' timeouts.",
    [
        Fields[0] with { Default = 1000 },
        Fields[1] with { Default = 0 },
        Fields[2] with { Default = 0 },
    ]);
}
