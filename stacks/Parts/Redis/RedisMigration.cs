using System.Globalization;
using System.Text;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Data;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Redis;

/// <summary>
/// The one-shot move from the shared Redis of earlier platform versions (one container <c>redis</c>, an ACL user per app
/// confined to <c>&lt;app&gt;:*</c>) to one instance per app or group: every <c>&lt;app&gt;:*</c> key is copied, with its TTL and
/// under the same name, into the instance the app now uses (docs/data-tier.md, "Migrating a stack that ran the shared Redis").
/// </summary>
public static class RedisMigration
{
    /// <summary>The old shared container.</summary>
    public const string LegacyContainer = ServiceNames.Redis;

    /// <summary>The throw-away Redis that serves the saved snapshot during <c>load</c>.</summary>
    public const string LoadContainer = "redis-migrate-legacy";

    /// <summary>Env var holding the instances' <c>platform_admin</c> password inside the copy (never on a command line).</summary>
    public const string PasswordEnv = "TARGET_AUTH";

    /// <summary>
    /// The copy, run inside a container holding the old data on <paramref name="sourcePort"/> (unauthenticated: a throw-away
    /// server) with <see cref="PasswordEnv"/> set: for each app, every key under its prefix is MIGRATEd with COPY (the source
    /// keeps it) and without REPLACE (a key the app wrote again in its instance wins) to the app's instance. Prints one
    /// line per app: copied, already there, failed. Exits non-zero when a key failed for another reason.
    /// </summary>
    public static string CopyScript(IEnumerable<(string App, string Host, int Port)> targets, int sourcePort = AppEnvironment.RedisPort)
    {
        var src = sourcePort.ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.Append("set -eu\n");
        sb.Append($": \"${{{PasswordEnv}:?the instances' platform_admin password}}\"\n");
        sb.Append("failed=0\n");
        sb.Append("copy() {\n");
        // One redis-cli session per app; the password and each key go through printf (a shell builtin), quoted for
        // redis-cli's line parser, so neither appears on a command line.
        sb.Append($"  out=$(redis-cli --no-auth-warning -p {src} --scan --pattern \"$1:*\" | sed 's/[\\\\\"]/\\\\&/g' | while IFS= read -r k; do\n");
        sb.Append($"    printf 'MIGRATE %s %s \"\" 0 10000 COPY AUTH2 {RedisConfig.AdminUser} \"%s\" KEYS \"%s\"\\n' \"$2\" \"$3\" \"${PasswordEnv}\" \"$k\"\n");
        sb.Append($"  done | redis-cli --no-auth-warning -p {src})\n");
        sb.Append("  ok=$(printf '%s\\n' \"$out\" | grep -c '^OK$' || true)\n");
        sb.Append("  busy=$(printf '%s\\n' \"$out\" | grep -c 'BUSYKEY' || true)\n");
        sb.Append("  other=$(printf '%s\\n' \"$out\" | grep -v -e '^OK$' -e 'BUSYKEY' -e '^NOKEY$' -e '^$' | wc -l)\n");
        sb.Append("  echo \"$1: $ok keys copied to $2:$3, $busy already there (kept), $other failed\"\n");
        sb.Append("  [ \"$other\" -eq 0 ] || { printf '%s\\n' \"$out\" | grep -v -e '^OK$' -e 'BUSYKEY' -e '^NOKEY$' -e '^$' | head -5 >&2; failed=1; }\n");
        sb.Append("}\n");
        foreach (var (app, host, port) in targets.OrderBy(t => t.App, StringComparer.Ordinal))
            sb.Append("copy ").Append(app).Append(' ').Append(host).Append(' ').Append(port.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("exit $failed\n");
        return sb.ToString();
    }

    /// <summary>The script an operator runs on the server (the data server of a split stack): <c>save</c> before the deploy, <c>load</c> after.</summary>
    public static string Script(StackSettings s)
    {
        var instances = RedisNames.Of(s);
        var targets = s.Apps.Where(a => a.Redis).Select(a => (App: a.Name, Instance: RedisNames.For(s, a)!))
            .Select(x => (x.App, x.Instance.Container, x.Instance.Port)).ToList();
        var first = instances.FirstOrDefault()?.Container;
        var sb = new StringBuilder();
        sb.Append("#!/bin/sh\n");
        sb.Append("# Copies each app's keys (<app>:*) from the shared Redis of earlier platform versions into the instance the app\n");
        sb.Append("# uses now. Usage: sh redis-migrate.sh save   (before pulumi up: snapshot of the old redis into ./redis-migrate)\n");
        sb.Append("#                 sh redis-migrate.sh load   (after pulumi up: copy the keys into the new instances)\n");
        sb.Append("# See docs/data-tier.md, \"Migrating a stack that ran the shared Redis\".\n");
        sb.Append("set -eu\n");
        sb.Append("dir=./redis-migrate\n");
        // The operators' password (the redis-admin secret, the same in the old Redis and every instance): given, or from the old
        // container's env (older versions), or from a Redis backup job's root-only env file. It only ever reaches env vars.
        sb.Append("password() {\n");
        sb.Append("  pw=\"${REDIS_ADMIN_PASSWORD:-}\"\n");
        sb.Append($"  [ -n \"$pw\" ] || pw=\"$(docker exec {LegacyContainer} printenv {RedisConfig.AuthEnv} 2>/dev/null || true)\"\n");
        sb.Append($"  [ -n \"$pw\" ] || pw=\"$(sudo sh -c 'sed -n \"s/^{RedisConfig.AuthEnv}=//p\" {Operations.BackupTimers.Directory}/redis*.env' 2>/dev/null | head -n 1 || true)\"\n");
        sb.Append("  [ -n \"$pw\" ] || { echo 'set REDIS_ADMIN_PASSWORD to the redis-admin secret (pulumi stack export --show-secrets)' >&2; exit 1; }\n");
        sb.Append("}\n");
        sb.Append("case \"${1:-}\" in\n");
        sb.Append("save)\n");
        sb.Append("  mkdir -p \"$dir\"\n");
        sb.Append("  password\n");
        sb.Append($"  {RedisConfig.AuthEnv}=\"$pw\" docker exec -e {RedisConfig.AuthEnv} {LegacyContainer} sh -c 'rm -f /tmp/legacy.rdb; redis-cli --no-auth-warning --user {RedisConfig.AdminUser} --rdb /tmp/legacy.rdb >/dev/null'\n");
        sb.Append($"  docker cp {LegacyContainer}:/tmp/legacy.rdb \"$dir/legacy.rdb\"\n");
        sb.Append($"  docker exec {LegacyContainer} rm -f /tmp/legacy.rdb\n");
        sb.Append("  chmod 0644 \"$dir/legacy.rdb\"\n");
        sb.Append("  echo \"Saved $(wc -c < \"$dir/legacy.rdb\") bytes to $dir/legacy.rdb. Now run pulumi up, then: sh $0 load\"\n");
        sb.Append("  ;;\n");
        sb.Append("load)\n");
        if (first is null)
        {
            sb.Append("  echo 'This stack has no Redis instance: nothing to copy.'\n");
        }
        else
        {
            sb.Append("  [ -s \"$dir/legacy.rdb\" ] || { echo \"no $dir/legacy.rdb: run 'sh $0 save' before pulumi up\" >&2; exit 1; }\n");
            sb.Append("  password\n");
            sb.Append($"  {PasswordEnv}=\"$pw\"\n");
            sb.Append($"  export {PasswordEnv}\n");
            sb.Append($"  docker rm -f {LoadContainer} >/dev/null 2>&1 || true\n");
            sb.Append($"  docker run -d --name {LoadContainer} --network {ServiceNames.DataNetwork} -v \"$(cd \"$dir\" && pwd)\":/data:ro {s.Redis.Service.Image} \\\n");
            sb.Append("    redis-server --dir /data --dbfilename legacy.rdb --appendonly no --save '' --protected-mode no >/dev/null\n");
            sb.Append($"  until [ \"$(docker exec {LoadContainer} redis-cli ping 2>/dev/null)\" = PONG ]; do sleep 1; done\n");
            sb.Append($"  status=0; docker exec -i -e {PasswordEnv} {LoadContainer} sh -s <<'PLATFORM_COPY' || status=$?\n");
            sb.Append(CopyScript(targets));
            sb.Append("PLATFORM_COPY\n");
            sb.Append($"  docker rm -f {LoadContainer} >/dev/null\n");
            sb.Append("  exit $status\n");
        }
        sb.Append("  ;;\n");
        sb.Append("*) echo \"usage: sh $0 save|load\" >&2; exit 2;;\n");
        sb.Append("esac\n");
        return sb.ToString();
    }
}
