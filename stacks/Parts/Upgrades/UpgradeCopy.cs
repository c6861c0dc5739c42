namespace Platform.Stacks.Data;

/// <summary>
/// The engine half of a declared major-version upgrade: copy every database of the old server into a new, empty server
/// and prove the copy equal before anything is switched. The scripts are shell functions that reach the two servers only
/// through functions the caller defines, so the same text runs on the server (through <c>docker exec</c>, see
/// <see cref="UpgradeScripts"/>) and in the tests (against Debian's servers):
/// <list type="bullet">
/// <item>PostgreSQL: <c>old_psql</c> / <c>new_psql</c> (psql as the superuser, script on stdin, <c>ON_ERROR_STOP</c>) and
/// <c>dumpall</c> (<c>pg_dumpall</c> of the old server to stdout, by the new major's client where it can reach the old one).</item>
/// <item>MariaDB: <c>old_sql</c> / <c>new_sql</c> (the <c>mariadb</c> client as root, <c>--batch --raw</c>) and <c>dump</c>
/// (<c>mariadb-dump</c> of the old server, options appended).</item>
/// </list>
/// Both define <c>upgrade_copy</c>: fingerprint the old server, copy, fingerprint the new one, compare — and
/// <c>$work</c> must name a scratch directory. The fingerprint is, per table, its row count and the sum of a 60-bit hash
/// of each row's text (order-free, exact, streamed: no table is sorted or held in memory), plus what else the copy must
/// carry (PostgreSQL's roles and sequence values).
/// </summary>
public static class UpgradeCopy
{
    /// <summary>PostgreSQL's per-database fingerprint: a query per table (run by psql's <c>\gexec</c>), then every sequence's value.</summary>
    public const string PostgresFingerprintSql =
        "SELECT format('SELECT %L, count(*), coalesce(sum((''x'' || substr(md5(t::text), 1, 15))::bit(60)::bigint), 0) FROM %I.%I AS t',\n" +
        "  schemaname || '.' || tablename, schemaname, tablename)\n" +
        "FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY schemaname, tablename\n" +
        "\\gexec\n" +
        "SELECT 'sequence ' || schemaname || '.' || sequencename, coalesce(last_value::text, 'null')\n" +
        "FROM pg_sequences WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1;\n";

    /// <summary>
    /// MariaDB's fingerprint generator: one query per base table outside the server's own schemas, each hashing every
    /// column's bytes (<c>CAST(… AS BINARY)</c>: a number's text, a blob's bytes) and whether it is NULL.
    /// </summary>
    public const string MariaDbFingerprintSql =
        "SET SESSION group_concat_max_len = 1048576;\n" +
        "SELECT CONCAT('SELECT ', QUOTE(CONCAT(c.table_schema, '.', c.table_name)), ', COUNT(*), COALESCE(SUM(CAST(CONV(SUBSTRING(MD5(CONCAT_WS(0x1f, ',\n" +
        "  GROUP_CONCAT(CONCAT('ISNULL(`', REPLACE(c.column_name, '`', '``'), '`), CAST(`', REPLACE(c.column_name, '`', '``'), '` AS BINARY)') ORDER BY c.ordinal_position SEPARATOR ', '),\n" +
        "  ')), 1, 15), 16, 10) AS UNSIGNED)), 0) FROM `', REPLACE(c.table_schema, '`', '``'), '`.`', REPLACE(c.table_name, '`', '``'), '`;')\n" +
        "FROM information_schema.columns AS c JOIN information_schema.tables AS t ON t.table_schema = c.table_schema AND t.table_name = c.table_name\n" +
        "WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN (" + MariaDbSystemSchemas + ")\n" +
        "GROUP BY c.table_schema, c.table_name ORDER BY c.table_schema, c.table_name;\n";

    /// <summary>The schemas a MariaDB server makes itself: never dumped or compared (the new server has its own).</summary>
    public const string MariaDbSystemSchemas = "'mysql', 'information_schema', 'performance_schema', 'sys'";

    /// <summary>The superuser role initdb makes in every cluster: the dump's line creating it is the one that would fail on the new server.</summary>
    private const string PostgresSuperuser = PostgresConfig.Superuser;

    /// <summary>The comparison both engines share: the new server's fingerprint against the old one's, every difference on stderr.</summary>
    private static readonly string Verify = string.Join("\n",
        "upgrade_verify() {",
        "  upgrade_fingerprint new > \"$work/after\"",
        "  if diff \"$work/before\" \"$work/after\" > \"$work/differences\"; then",
        "    echo \"verified: $(grep -c '' \"$work/before\") tables and other objects, the same row counts and checksums on the old and the new server\"",
        "  else",
        "    echo 'error: the copy on the new server differs from the old server (< old, > new), so nothing is switched:' >&2",
        "    grep '^[<>]' \"$work/differences\" >&2",
        "    return 1",
        "  fi",
        "}",
        "upgrade_copy() {",
        "  upgrade_fingerprint old > \"$work/before\"",
        "  upgrade_restore",
        "  upgrade_verify",
        "}");

    /// <summary>PostgreSQL's functions (see the class summary).</summary>
    public static string PostgresFunctions() => string.Join("\n",
        "upgrade_fingerprint() {",
        "  # $1: old or new. Every role, then per database every table's row count and checksum and every sequence's value.",
        "  \"$1_psql\" -d postgres -At -c \"select 'role ' || rolname from pg_roles where rolname !~ '^pg_' order by 1\"",
        "  for db in $(old_psql -d postgres -At -c \"select datname from pg_database where datallowconn and not datistemplate order by 1\"); do",
        "    \"$1_psql\" -d \"$db\" -At -F ' ' <<'PLATFORM_FINGERPRINT' | sed \"s/^/$db./\"",
        PostgresFingerprintSql.TrimEnd('\n'),
        "PLATFORM_FINGERPRINT",
        "  done",
        "}",
        "upgrade_restore() {",
        "  # Roles, databases and rows; the superuser exists on the new server already. A failed dump ends in a failing statement.",
        $"  {{ dumpall || echo 'SELECT the_dump_failed;'; }} | sed '/^CREATE ROLE {PostgresSuperuser};$/d' | new_psql -d postgres >/dev/null",
        "}",
        Verify,
        "");

    /// <summary>MariaDB's functions (see the class summary). Accounts are not copied: <c>mariadb-provision</c> re-creates the apps' on the new server.</summary>
    public static string MariaDbFunctions() => string.Join("\n",
        "upgrade_fingerprint() {",
        "  # $1: old or new. Every table's row count and checksum.",
        "  \"$1_sql\" -N <<'PLATFORM_FINGERPRINT' | \"$1_sql\" -N",
        MariaDbFingerprintSql.TrimEnd('\n'),
        "PLATFORM_FINGERPRINT",
        "}",
        "upgrade_restore() {",
        "  # Every database outside the server's own, with routines, events and triggers. A failed dump ends in a failing statement.",
        $"  dbs=\"$(old_sql -N -e \"SELECT schema_name FROM information_schema.schemata WHERE schema_name NOT IN ({MariaDbSystemSchemas}) ORDER BY 1\")\"",
        "  [ -n \"$dbs\" ] || return 0",
        "  # shellcheck disable=SC2086 # one word per database name (the platform's names have no spaces)",
        "  { dump --single-transaction --routines --events --triggers --hex-blob --databases $dbs || echo 'SELECT the_dump_failed;'; } | new_sql",
        "}",
        Verify,
        "");
}
