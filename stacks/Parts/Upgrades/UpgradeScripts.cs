using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Operations;

namespace Platform.Stacks.Data;

/// <summary>
/// A declared major-version upgrade of one data container, as the blueprint runs it.
/// </summary>
/// <param name="Engine">PostgreSQL or MariaDB.</param>
/// <param name="Service">The container (<c>postgres</c>, <c>mariadb</c>).</param>
/// <param name="Setting">The upgrade's config key (<c>postgresUpgrade</c>).</param>
/// <param name="From">The major the data is in now (16, 10.11).</param>
/// <param name="To">The major the image runs (17, 11.4).</param>
/// <param name="OldVolume">The volume the running container has its data in; kept as it is (the rollback).</param>
/// <param name="NewVolume">The volume the copy is made in, which the new container runs on.</param>
/// <param name="NewVolumeHostPath">The new volume's folder on the server's data disk; null when Docker keeps it.</param>
/// <param name="MountPath">Where the container mounts its data volume.</param>
/// <param name="Image">The image the new server runs (the container's).</param>
/// <param name="MemoryMb">The temporary server's memory limit (the container's).</param>
/// <param name="DataNetwork">The data network (PostgreSQL's new client dumps the old server over it).</param>
/// <param name="Pitr">Whether pgBackRest archives the cluster (its stanza is upgraded after the switch).</param>
/// <param name="DataGb">The data's size the stack declares, for the downtime estimate.</param>
public sealed record DataUpgradeSpec(
    GuardedEngine Engine, string Service, string Setting, string From, string To, string OldVolume, string NewVolume,
    string? NewVolumeHostPath, string MountPath, string Image, int MemoryMb, string DataNetwork, bool Pitr = false, int DataGb = 1)
{
    /// <summary>The temporary container the copy is restored into.</summary>
    public string Temporary => $"{Service}-upgrade";

    /// <summary>The file, at the new volume's root, that says the copy was verified (what makes the upgrade command idempotent).</summary>
    public string Receipt => $"upgrade-from-{From}.verified";

    /// <summary>The engine's name in messages.</summary>
    public string EngineName => Engine == GuardedEngine.Postgres ? "PostgreSQL" : "MariaDB";
}

/// <summary>
/// The server half of a declared upgrade (<see cref="UpgradeCopy"/> is the engine half): the host command that runs
/// before the data container is replaced — checks, a new volume, a temporary server of the new image on it, the copy
/// and its verification, then the old container stops (the switch; the deployment creates the new one on the new volume)
/// — and, for PostgreSQL, the one that runs after it (PgBouncer back, statistics, pgBackRest's stanza).
/// Any failure before the switch leaves the old server running as it was, PgBouncer started again and the new volume empty.
/// </summary>
public static class UpgradeScripts
{
    /// <summary>The host command that copies, verifies and switches.</summary>
    public static string CommandName(string service) => $"{service}-upgrade";

    /// <summary>The host command that runs after the new container was created (PostgreSQL only).</summary>
    public static string FinishCommandName(string service) => $"{service}-upgrade-finish";

    private static string Q(string s) => Backups.ShellQuote(s);

    /// <summary>The upgrade command's script (run as <c>sh -s</c>; everything runs inside <c>main</c>, whose stdin is empty, so no client reads the script).</summary>
    public static string Script(DataUpgradeSpec u, string pgbouncer = "pgbouncer")
    {
        ArgumentNullException.ThrowIfNull(u);
        var pg = u.Engine == GuardedEngine.Postgres;
        var name = CommandName(u.Service);
        var lines = new List<string>
        {
            "set -eu",
            $"# Declared upgrade of {u.Service} ({u.Setting}): {u.EngineName} {u.From} on volume {u.OldVolume} -> {u.To} on volume {u.NewVolume} ({u.Image}).",
            $"log() {{ echo \"{name}: $*\"; }}",
            $"fail() {{ echo \"error: {name}: $*\" >&2; exit 1; }}",
            "voldir() {",
            "  d=\"$(docker volume inspect -f '{{ index .Options \"device\" }}' \"$1\" 2>/dev/null || true)\"",
            "  case \"$d\" in /*) ;; *) d=\"$(docker volume inspect -f '{{ .Mountpoint }}' \"$1\")\" ;; esac",
            "  echo \"$d\"",
            "}",
            pg ? UpgradeCopy.PostgresFunctions().TrimEnd('\n') : UpgradeCopy.MariaDbFunctions().TrimEnd('\n'),
            "main() {",
            $"  if docker volume inspect {Q(u.NewVolume)} >/dev/null 2>&1; then",
            $"    if sudo test -e \"$(voldir {Q(u.NewVolume)})/{u.Receipt}\"; then log {Q($"volume {u.NewVolume} holds the verified {u.EngineName} {u.To} copy already: nothing to do.")}; return 0; fi",
            $"    if [ -n \"$(sudo ls -A \"$(voldir {Q(u.NewVolume)})\")\" ]; then fail {Q($"volume {u.NewVolume} holds data but no verified copy (an interrupted attempt). Remove it (docker volume rm {u.NewVolume}) and deploy again; {u.OldVolume} was not touched.")}; fi",
            "  fi",
            // A stack whose file already declares the upgrade starts on the new volume: with no old container and no old data there is nothing to copy.
            $"  if ! docker inspect {Q(u.Service)} >/dev/null 2>&1; then",
            $"    if docker volume inspect {Q(u.OldVolume)} >/dev/null 2>&1 && [ -n \"$(sudo ls -A \"$(voldir {Q(u.OldVolume)})\")\" ]; then fail {Q($"there is no container {u.Service}, but volume {u.OldVolume} holds data: run {u.EngineName} {u.From} on it first (set the image back and remove {u.Setting}), then deploy again.")}; fi",
            $"    log {Q($"no container {u.Service} and no data in {u.OldVolume} (a first start): nothing to copy; {u.Service} starts on {u.NewVolume}.")}",
            "    return 0",
            "  fi",
            $"  [ \"$(docker inspect -f '{{{{.State.Running}}}}' {Q(u.Service)} 2>/dev/null || true)\" = true ] || fail {Q($"container {u.Service} is not running: the upgrade copies from the running {u.EngineName} {u.From}. Start it, or set the image back to {u.EngineName} {u.From} and remove {u.Setting}, then deploy again.")}",
            $"  mounted=\"$(docker inspect -f '{{{{range .Mounts}}}}{{{{if eq .Destination \"{u.MountPath}\"}}}}{{{{.Name}}}}{{{{end}}}}{{{{end}}}}' {Q(u.Service)})\"",
            $"  [ \"$mounted\" = {Q(u.OldVolume)} ] || fail \"{u.Service} runs on volume $mounted, not on {u.OldVolume}: set {u.Setting}.previousVolume to $mounted.\"",
        };
        lines.Add(pg
            ? $"  found=\"$(docker exec {Q(u.Service)} cat {u.MountPath}/pgdata/PG_VERSION | tr -d '[:space:]')\""
            : $"  found=\"$(docker exec {Q(u.Service)} sh -c 'cat {u.MountPath}/mariadb_upgrade_info 2>/dev/null || cat {u.MountPath}/mysql_upgrade_info' | sed -n '1s/^\\([0-9][0-9]*\\.[0-9][0-9]*\\).*/\\1/p')\"");
        lines.Add($"  [ \"$found\" = {Q(u.From)} ] || fail \"{u.Service}'s data is {u.EngineName} $found, not {u.From} ({u.Setting}.from): correct {u.Setting}.\"");
        lines.Add("  work=\"$(mktemp -d)\"");
        lines.Add("  trap cleanup EXIT");
        if (u.NewVolumeHostPath is { } host)
            // As the platform makes every volume folder on the data disk (the containers' entrypoints own what is inside).
            lines.Add($"  sudo install -d -m 0755 {Q(host)}");
        lines.Add($"  docker volume create {(u.NewVolumeHostPath is { } hp ? $"--driver local --opt type=none --opt o=bind --opt device={Q(hp)} " : "")}{Q(u.NewVolume)} >/dev/null");
        var common = $"-d --name {Q(u.Temporary)} --memory {u.MemoryMb.ToString(CultureInfo.InvariantCulture)}m -v {Q(u.NewVolume)}:{u.MountPath}";
        if (pg)
        {
            lines.AddRange(
            [
                // The temporary server gets the same superuser password (so the dump's ALTER ROLE keeps it) and initdb options.
                $"  docker exec {Q(u.Service)} cat {Backups.PostgresPasswordFile} > \"$work/password\"",
                "  chmod 0644 \"$work/password\"",
                $"  log {Q($"PgBouncer stops: the apps cannot reach PostgreSQL until {u.To} runs (the upgrade's downtime).")}",
                $"  docker stop {Q(pgbouncer)} >/dev/null",
                "  stopped=yes",
                $"  docker run {common} --network {Q(u.DataNetwork)} -v \"$work/password:{Backups.PostgresPasswordFile}:ro\" -e POSTGRES_PASSWORD_FILE={Backups.PostgresPasswordFile} -e 'POSTGRES_INITDB_ARGS=--auth-host=scram-sha-256 --auth-local=peer' -e PGDATA={u.MountPath}/pgdata {Q(u.Image)} >/dev/null",
                // The image's first start runs a server on its socket only while it initialises: ready is when TCP answers.
                $"  i=0; until docker exec -u postgres {Q(u.Temporary)} pg_isready -q -h 127.0.0.1 -p 5432; do i=$((i + 1)); [ \"$i\" -lt 300 ] || fail \"the new server did not start: $(docker logs --tail 20 {Q(u.Temporary)} 2>&1)\"; sleep 1; done",
                $"  old_psql() {{ docker exec -i -u postgres {Q(u.Service)} psql -X -q -v ON_ERROR_STOP=1 \"$@\"; }}",
                $"  new_psql() {{ docker exec -i -u postgres {Q(u.Temporary)} psql -X -q -v ON_ERROR_STOP=1 \"$@\"; }}",
                // The new major's pg_dumpall reads the old server (PostgreSQL's advice), from the old server's own network
                // namespace: its superuser logs in over TCP from loopback only (pg_hba.conf).
                $"  dumpall() {{ docker run --rm -u postgres --network container:{Q(u.Service)} -v \"$work/password:{Backups.PostgresPasswordFile}:ro\" {Q(u.Image)} sh -c 'PGPASSWORD=\"$(cat {Backups.PostgresPasswordFile})\" exec pg_dumpall -h 127.0.0.1 -U {PostgresConfig.Superuser}'; }}",
            ]);
        }
        else
        {
            lines.AddRange(
            [
                // The same root account as the running server's (its host and password hash, from its env).
                $"  docker inspect -f '{{{{range .Config.Env}}}}{{{{println .}}}}{{{{end}}}}' {Q(u.Service)} | grep '^MARIADB_ROOT_' > \"$work/env\"",
                "  old_sql() { docker exec -i " + Q(u.Service) + " mariadb --batch --raw \"$@\"; }",
                "  new_sql() { docker exec -i " + Q(u.Temporary) + " mariadb --batch --raw \"$@\"; }",
                "  dump() { docker exec " + Q(u.Service) + " mariadb-dump \"$@\"; }",
                $"  log {Q("MariaDB is read-only for the apps until the new server runs (the upgrade's downtime for writes).")}",
                "  old_sql -e 'SET GLOBAL read_only = ON'",
                "  ro_set=yes",
                $"  docker run {common} --network none --env-file \"$work/env\" {Q(u.Image)} >/dev/null",
                // healthcheck.sh --connect fails on the socket-only server of the image's initialisation: ready is when it passes.
                $"  i=0; until docker exec {Q(u.Temporary)} healthcheck.sh --connect --innodb_initialized >/dev/null 2>&1; do i=$((i + 1)); [ \"$i\" -lt 300 ] || fail \"the new server did not start: $(docker logs --tail 20 {Q(u.Temporary)} 2>&1)\"; sleep 1; done",
            ]);
        }
        lines.AddRange(
        [
            $"  log {Q($"copying every database from {u.EngineName} {u.From} to {u.To}, then comparing every table's row count and checksum")}",
            "  upgrade_copy",
            $"  docker exec {Q(u.Temporary)} sh -c {Q($"echo \"{u.EngineName} {u.From} -> {u.To}, verified $(date -u +%Y-%m-%dT%H:%M:%SZ)\" > {u.MountPath}/{u.Receipt}")}",
            $"  docker stop -t 120 {Q(u.Temporary)} >/dev/null",
            $"  log {Q($"switching: {u.Service} ({u.EngineName} {u.From}) stops; the deployment starts {u.To} on {u.NewVolume}. {u.OldVolume} stays as it was, for a rollback.")}",
            $"  docker stop -t 120 {Q(u.Service)} >/dev/null",
            "}",
            "cleanup() {",
            "  rc=$?",
            $"  docker rm -f {Q(u.Temporary)} >/dev/null 2>&1 || true",
            "  rm -f \"$work\"/*",
            "  rmdir \"$work\"",
            "  [ \"$rc\" -ne 0 ] || return 0",
            // Only the new volume is emptied (the old one is never written); the old server serves again.
            $"  docker run --rm -v {Q(u.NewVolume)}:/v --entrypoint sh {Q(u.Image)} -c 'rm -rf /v/* /v/.[!.]*' || true",
            pg ? $"  [ \"${{stopped:-}}\" != yes ] || docker start {Q(pgbouncer)} >/dev/null || true"
               : $"  [ \"${{ro_set:-}}\" != yes ] || docker exec {Q(u.Service)} mariadb -e 'SET GLOBAL read_only = OFF' || true",
            $"  echo {Q($"error: {name}: nothing was switched: {u.Service} runs {u.EngineName} {u.From} on {u.OldVolume} as before, and {u.NewVolume} is empty.")} >&2",
            "}",
            "main </dev/null",
            "",
        ]);
        return string.Join("\n", lines);
    }

    /// <summary>
    /// PostgreSQL's finishing command, run once the new container exists: waits until it accepts connections, starts
    /// PgBouncer (the downtime ends), upgrades pgBackRest's stanza and takes a full base backup (with point-in-time
    /// recovery: WAL of the old major cannot be replayed on the new), and refreshes the planner's statistics, which a
    /// dump does not carry. Once per upgrade (a receipt in the volume), though it runs again whenever PostgreSQL is replaced.
    /// </summary>
    public static string FinishScript(DataUpgradeSpec u, string pgbouncer = "pgbouncer")
    {
        ArgumentNullException.ThrowIfNull(u);
        var done = $"{u.MountPath}/upgrade-from-{u.From}.finished";
        var lines = new List<string>
        {
            "set -eu",
            $"# After the upgrade of {u.Service} to {u.EngineName} {u.To}.",
            $"i=0; until docker exec -u postgres {Q(u.Service)} pg_isready -q -h 127.0.0.1 -p 5432; do i=$((i + 1)); [ \"$i\" -lt 300 ] || {{ echo 'error: {FinishCommandName(u.Service)}: PostgreSQL {u.To} did not start' >&2; exit 1; }}; sleep 1; done",
            // PgBouncer exists unless this is the stack's first deployment (then the deployment creates it, running).
            $"if docker inspect {Q(pgbouncer)} >/dev/null 2>&1; then docker start {Q(pgbouncer)} >/dev/null; fi",
            // Nothing to finish on a first start (no copy was made) or once finished.
            $"if ! docker exec {Q(u.Service)} test -e {u.MountPath}/{u.Receipt} || docker exec {Q(u.Service)} test -e {done}; then exit 0; fi",
            $"echo {Q($"{FinishCommandName(u.Service)}: PgBouncer runs again; the apps reach PostgreSQL {u.To}.")}",
        };
        if (u.Pitr)
            lines.Add($"docker exec -u postgres {Q(u.Service)} sh -c 'pgbackrest stanza-upgrade && pgbackrest check && pgbackrest --type=full backup'");
        lines.Add($"docker exec -u postgres {Q(u.Service)} vacuumdb --all --analyze-in-stages --quiet");
        // As root: the volume's root folder is root's on the data disk.
        lines.Add($"docker exec {Q(u.Service)} sh -c {Q($"date -u +%Y-%m-%dT%H:%M:%SZ > {done}")}");
        lines.Add("");
        return string.Join("\n", lines);
    }

    /// <summary>The host commands' names of <paramref name="u"/>, for dependencies.</summary>
    public static ImmutableArray<string> Commands(DataUpgradeSpec u) =>
        u.Engine == GuardedEngine.Postgres ? [CommandName(u.Service), FinishCommandName(u.Service)] : [CommandName(u.Service)];
}
