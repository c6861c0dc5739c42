using System.Collections.Immutable;

namespace Platform.Stacks.Operations;

/// <summary>Row count and content checksum of one table (or a sequence's state), as read from a database.</summary>
public sealed record TableFingerprint(long Rows, string Checksum);

/// <summary>
/// Proves a restore lost nothing: fingerprint every table of the source and of the restored database,
/// then compare them table by table. Used by the restore drill test and after a real restore.
/// </summary>
public static class RestoreCheck
{
    /// <summary>Lists the user tables to fingerprint, as <c>schema.table</c> (quoted), sorted.</summary>
    public const string ListTablesSql =
        "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables " +
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1";

    /// <summary>Lists sequences with their state, so a restore that resets a sequence is caught too.</summary>
    public const string SequencesSql =
        "SELECT format('%I.%I', schemaname, sequencename), coalesce(last_value::text, 'null') FROM pg_sequences " +
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1";

    /// <summary>
    /// Row count and the md5 of every row's text form, in a fixed order (so equal content gives an
    /// equal checksum, and any changed, missing or extra row changes it).
    /// </summary>
    /// <param name="qualifiedTable">A name as returned by <see cref="ListTablesSql"/> (already quoted).</param>
    public static string FingerprintSql(string qualifiedTable) =>
        $"SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text COLLATE \"C\")), md5('')) FROM {qualifiedTable} AS t";

    /// <summary>Every difference between <paramref name="expected"/> (source) and <paramref name="actual"/> (restored); empty when equal.</summary>
    public static ImmutableArray<string> Compare(
        IReadOnlyDictionary<string, TableFingerprint> expected, IReadOnlyDictionary<string, TableFingerprint> actual)
    {
        var differences = new List<string>();
        foreach (var name in expected.Keys.Union(actual.Keys).Order(StringComparer.Ordinal))
        {
            var hasE = expected.TryGetValue(name, out var e);
            var hasA = actual.TryGetValue(name, out var a);
            if (!hasA) differences.Add($"{name}: missing after restore (source has {e!.Rows} rows).");
            else if (!hasE) differences.Add($"{name}: present after restore but not in the source.");
            else if (e!.Rows != a!.Rows) differences.Add($"{name}: {e.Rows} rows in the source, {a.Rows} after restore.");
            else if (!string.Equals(e.Checksum, a.Checksum, StringComparison.Ordinal))
                differences.Add($"{name}: same row count ({e.Rows}) but different content (checksum {e.Checksum} vs {a.Checksum}).");
        }
        return [.. differences];
    }
}
