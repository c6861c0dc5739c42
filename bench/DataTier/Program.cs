using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Platform.Stacks.Data;

// Usage:
//   DataTier free-port
//   DataTier render <out-dir> <pg-port> <bouncer-port> <memory-mb>
//     secrets from the environment: BENCH_APP_PASSWORD, BENCH_STATS_PASSWORD
//     optional: BENCH_MAX_CONNECTIONS, BENCH_ROLE_CONNECTION_LIMIT (default: the platform's 100, and 50)
//     writes postgresql.conf, pg_hba.conf, provision.sql, pgbouncer.ini, userlist.txt
if (args is ["free-port"])
{
    using var l = new TcpListener(IPAddress.Loopback, 0);
    l.Start();
    Console.WriteLine(((IPEndPoint)l.LocalEndpoint).Port);
    return 0;
}
if (args is not ["render", var outDir, var pgPortText, var bouncerPortText, var memoryText])
{
    Console.Error.WriteLine("usage: DataTier free-port | DataTier render <out-dir> <pg-port> <bouncer-port> <memory-mb>");
    return 2;
}
var pgPort = int.Parse(pgPortText, CultureInfo.InvariantCulture);
var bouncerPort = int.Parse(bouncerPortText, CultureInfo.InvariantCulture);
var memoryMb = int.Parse(memoryText, CultureInfo.InvariantCulture);
// The pooling benchmark opens 100 direct connections, so it raises both limits; the platform's defaults otherwise.
static int? FromEnv(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? int.Parse(v, CultureInfo.InvariantCulture) : null;
var maxConnections = FromEnv("BENCH_MAX_CONNECTIONS") ?? new PostgresOptions(memoryMb).MaxConnections;
var roleLimit = FromEnv("BENCH_ROLE_CONNECTION_LIMIT") ?? 50;
var secrets = new Dictionary<string, string>(StringComparer.Ordinal)
{
    ["postgres-bench"] = Environment.GetEnvironmentVariable("BENCH_APP_PASSWORD") ?? throw new InvalidOperationException("BENCH_APP_PASSWORD is not set."),
    ["pgbouncer-stats"] = Environment.GetEnvironmentVariable("BENCH_STATS_PASSWORD") ?? throw new InvalidOperationException("BENCH_STATS_PASSWORD is not set."),
};
string Secret(string name) => secrets[name];

var apps = new[] { new AppDatabase("bench", "bench", [], roleLimit, "postgres-bench") };
var socketDir = Path.Combine(outDir, "sock");
var files = new Dictionary<string, string>
{
    ["postgresql.conf"] = PostgresConfig.PostgresqlConf(new PostgresOptions(memoryMb) { ListenAddresses = "127.0.0.1", Port = pgPort, UnixSocketDirectory = socketDir, MaxConnections = maxConnections }),
    ["pg_hba.conf"] = PostgresConfig.PgHbaConf(),
    ["provision.sql"] = PostgresProvisioning.Script(apps).Resolve(Secret),
};
var bouncer = new PgBouncerOptions
{
    PostgresHost = "127.0.0.1", PostgresPort = pgPort, ListenAddr = "127.0.0.1", ListenPort = bouncerPort,
    AuthFile = Path.Combine(outDir, "userlist.txt"), UnixSocketDir = socketDir,
};
files["pgbouncer.ini"] = PgBouncerConfig.Ini(bouncer, apps);
files["userlist.txt"] = PgBouncerConfig.Userlist(bouncer, apps).Resolve(Secret);
foreach (var (name, content) in files)
    File.WriteAllText(Path.Combine(outDir, name), content);
return 0;
