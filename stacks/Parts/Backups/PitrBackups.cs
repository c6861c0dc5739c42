using Platform.Stacks.Data;

namespace Platform.Stacks.Operations;

public static partial class Backups
{
    /// <summary>Where the PostgreSQL container writes pgBackRest's description of the repository after each base backup.</summary>
    public const string PitrReceiptVolume = "backup-pitr-receipts";
    public const string PitrReceiptDir = "/pitr-receipts";

    /// <summary>
    /// The nightly base backup of point-in-time recovery: the host's timer execs pgBackRest in the PostgreSQL container as
    /// its <c>postgres</c> user (pgBackRest refuses root; the backup itself goes straight to the bucket), the runner
    /// archives pgBackRest's JSON receipt, and the job's heartbeat is pushed — so a failed or missing base backup turns a
    /// monitor red like any other job.
    /// </summary>
    private static BackupJob PitrJob(BackupsInput input, int retentionDays) =>
        Job(input, Pitr.JobName, "PostgreSQL base backup for point-in-time recovery (pgBackRest; its receipt)", BackupSubject.Postgres,
            Pitr.DefaultSchedule, retentionDays, PitrReceiptVolume, [], Pitr.BackupScript(PitrReceiptDir), input.Sources.PostgresHost,
            $"{ArchiveRoot}/{Pitr.JobName}") with { DumpUser = input.Sources.PostgresUser };
}

public static partial class Backups
{
    /// <summary>
    /// A shell script, to run on the server as the deploy user, that restores the whole PostgreSQL cluster to
    /// <paramref name="target"/> from pgBackRest's repository: it stops PgBouncer and PostgreSQL, moves the current data
    /// directory aside inside its volume (kept, never deleted), restores the newest base backup before the moment and
    /// replays WAL up to it in a throwaway container of <paramref name="image"/> with PostgreSQL's own volumes and
    /// pgBackRest settings (its env values and its secrets file, copied from the running container), then starts PostgreSQL (it promotes itself at the moment) and PgBouncer.
    /// </summary>
    public static string PitrRestoreScript(string image, DateTimeOffset target, string postgres = "postgres", string pgbouncer = "pgbouncer",
        string dataDirectory = "/var/lib/postgresql/data/pgdata")
    {
        var q = ShellQuote(image);
        var moment = Pitr.TargetTime(target);
        return string.Join("\n",
            "#!/bin/sh",
            $"# Point-in-time restore of every PostgreSQL database to {moment} (UTC), from pgBackRest's repository in the backup bucket.",
            "# Stop the apps first. The current data directory is kept next to the restored one (pgdata.before-pitr-<time>);",
            "# remove it once the restored data is verified. To undo: stop postgres, swap the two directories back, start it.",
            "set -eu",
            "# pgBackRest's settings: its PGBACKREST_* env values and its secrets file, both read from the running container.",
            "work=\"$(mktemp -d)\"",
            "trap 'rm -f \"$work/env\" \"$work/pgbackrest.conf\"; rmdir \"$work\"' EXIT",
            $"docker inspect -f '{{{{range .Config.Env}}}}{{{{println .}}}}{{{{end}}}}' {ShellQuote(postgres)} | grep '^PGBACKREST_' > \"$work/env\"",
            $"docker exec {ShellQuote(postgres)} cat {Pitr.ConfigPath} > \"$work/pgbackrest.conf\"",
            // The folder is the deploy user's alone (0700); the file must be readable by the restore container's postgres user.
            "chmod 0644 \"$work/pgbackrest.conf\"",
            $"docker stop {ShellQuote(pgbouncer)} {ShellQuote(postgres)} >/dev/null",
            "stamp=\"$(date -u +%Y%m%dT%H%M%SZ)\"",
            $"docker run --rm -u postgres --volumes-from {ShellQuote(postgres)} {q} sh -c \"mv {dataDirectory} {dataDirectory}.before-pitr-$stamp && mkdir -m 0700 {dataDirectory}\"",
            $"docker run --rm -u postgres --env-file \"$work/env\" -v \"$work/pgbackrest.conf:{Pitr.ConfigPath}:ro\" --volumes-from {ShellQuote(postgres)} {q} {ToShell(Pitr.RestoreCommand(target))}",
            $"docker start {ShellQuote(postgres)} >/dev/null",
            $"until [ \"$(docker exec -u postgres {ShellQuote(postgres)} psql -XAtq -d postgres -c 'select pg_is_in_recovery()' 2>/dev/null)\" = f ]; do sleep 2; done",
            $"docker start {ShellQuote(pgbouncer)} >/dev/null",
            $"echo {ShellQuote($"Restored to {moment}; the previous data directory is {dataDirectory}.before-pitr-")}\"$stamp\"",
            "");
    }
}
