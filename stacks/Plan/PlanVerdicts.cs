using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Canonical;
using Platform.Stacks.Model;

namespace Platform.Stacks.Plan;

/// <summary>
/// What a change does to each container, volume, network, DNS record and host command, in the words a reviewer needs:
/// created; updated in place; replaced create-before-delete (no downtime); replaced delete-before-create (downtime, with
/// who notices); reloaded in place; restarted; re-run; destroyed (and whether protected). Each verdict is the shell's own
/// decision (<see cref="ShellDecisions.ContainerChange"/> over <see cref="ContainerConfig"/>, <see cref="HostCommandSpec.Reload"/>),
/// so the review and the program cannot disagree. Then the memory and cost deltas.
/// </summary>
public static class PlanVerdicts
{
    public const string Heading = "what happens to each resource";

    private static readonly JsonSerializerOptions Canonical = new() { Converters = { new SecretTextMasked() } };

    /// <summary>The verdict lines, sorted by resource; empty when nothing changes.</summary>
    public static ImmutableArray<string> Between(PlatformBlueprint before, PlatformBlueprint after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var lines = new List<string>();
        var was = before.Services.ToDictionary(s => (s.Host, s.Name));
        var now = after.Services.ToDictionary(s => (s.Host, s.Name));
        foreach (var s in after.Services.Where(s => !was.ContainsKey((s.Host, s.Name))))
            lines.Add($"+ created: container {s.Name}{On(s.Host)} ({s.Image})");
        foreach (var s in before.Services.Where(s => !now.ContainsKey((s.Host, s.Name))))
            lines.Add($"- destroyed: container {s.Name}{On(s.Host)}");
        foreach (var s in after.Services.Where(s => was.ContainsKey((s.Host, s.Name))))
        {
            var old = ContainerConfigs.Of(was[(s.Host, s.Name)]);
            var config = ContainerConfigs.Of(s);
            var fields = ChangedFields(old, config);
            var what = string.Join(", ", fields.Select(f => Describe(f, old, config)));
            switch (ShellDecisions.ContainerChange(fields, config.DeleteBeforeReplace))
            {
                case ContainerAction.UpdateInPlace:
                    lines.Add($"~ updated in place, no restart: container {s.Name}{On(s.Host)} ({what})");
                    break;
                case ContainerAction.ReplaceCreateFirst:
                    lines.Add($"~ replaced create-before-delete, no downtime: container {s.Name}{On(s.Host)} ({what})");
                    break;
                case ContainerAction.ReplaceDeleteFirst:
                    lines.Add($"! replaced delete-before-create, DOWNTIME: container {s.Name}{On(s.Host)} ({what}); {Notices(after, s)}");
                    break;
            }
        }

        var oldVolumes = before.Volumes.ToDictionary(v => (v.Host, v.Name));
        var newVolumes = after.Volumes.ToDictionary(v => (v.Host, v.Name));
        foreach (var v in after.Volumes.Where(v => !oldVolumes.ContainsKey((v.Host, v.Name))))
            lines.Add($"+ created: volume {v.Name}{On(v.Host)}");
        foreach (var v in before.Volumes.Where(v => !newVolumes.ContainsKey((v.Host, v.Name))))
            lines.Add($"- destroyed: volume {v.Name}{On(v.Host)}{(v.Protect ? " (protected: the deployment stops here until it is unprotected; its data is lost)" : " (its data is lost)")}");

        var oldNetworks = before.Networks.Select(n => (n.Host, n.Name)).ToHashSet();
        var newNetworks = after.Networks.Select(n => (n.Host, n.Name)).ToHashSet();
        foreach (var n in after.Networks.Where(n => !oldNetworks.Contains((n.Host, n.Name))))
            lines.Add($"+ created: network {n.Name}{On(n.Host)}");
        foreach (var n in before.Networks.Where(n => !newNetworks.Contains((n.Host, n.Name))))
            lines.Add($"- destroyed: network {n.Name}{On(n.Host)}");

        var oldRecords = before.DnsRecords.Select(d => (d.Fqdn, d.Type)).ToHashSet();
        var newRecords = after.DnsRecords.Select(d => (d.Fqdn, d.Type)).ToHashSet();
        foreach (var d in after.DnsRecords.Where(d => !oldRecords.Contains((d.Fqdn, d.Type))))
            lines.Add($"+ created: DNS {d.Type} {d.Fqdn}");
        foreach (var d in before.DnsRecords.Where(d => !newRecords.Contains((d.Fqdn, d.Type))))
            lines.Add($"- destroyed: DNS {d.Type} {d.Fqdn}");
        // Declared records by their resource name: a changed value of any but a CNAME is a new record and the old one's removal.
        var oldDeclared = before.ZoneRecords.Select(z => z.ResourceSuffix).ToHashSet(StringComparer.Ordinal);
        var newDeclared = after.ZoneRecords.Select(z => z.ResourceSuffix).ToHashSet(StringComparer.Ordinal);
        foreach (var z in after.ZoneRecords.Where(z => !oldDeclared.Contains(z.ResourceSuffix)))
            lines.Add($"+ created: DNS {z.Type} {z.Fqdn} (declared: {z.Describe()})");
        foreach (var z in before.ZoneRecords.Where(z => !newDeclared.Contains(z.ResourceSuffix)))
            lines.Add($"- destroyed: DNS {z.Type} {z.Fqdn} (declared: {z.Describe()}; a record the stack created)");

        var oldCommands = before.HostCommands.ToDictionary(c => (c.Host, c.Name));
        var newCommands = after.HostCommands.ToDictionary(c => (c.Host, c.Name));
        foreach (var c in after.HostCommands.Where(c => !oldCommands.ContainsKey((c.Host, c.Name))))
            lines.Add($"+ runs: host command {c.Name}{On(c.Host)}");
        foreach (var c in before.HostCommands.Where(c => !newCommands.ContainsKey((c.Host, c.Name))))
            lines.Add($"- destroyed: host command {c.Name}{On(c.Host)}{(c.Delete is null ? "" : $" (runs `{c.Delete}`)")}");
        foreach (var c in after.HostCommands.Where(c => oldCommands.TryGetValue((c.Host, c.Name), out var old)
                     && (old.Create != c.Create || old.Stdin?.Masked != c.Stdin?.Masked)))
        {
            // A reloading command runs again only to carry new files: its container rereads them.
            if (c.Reload is { } reload && now.ContainsKey((c.Host, reload.Container)) && was.ContainsKey((c.Host, reload.Container)))
                lines.Add(reload.Restarts
                    ? $"! restarted: {reload.Container}{On(c.Host)} (host command {c.Name} rewrites its files and restarts it: seconds without it; {Notices(after, now[(c.Host, reload.Container)])})"
                    : $"~ reloaded in place, no restart: {reload.Container}{On(c.Host)} (host command {c.Name} rewrites its files)");
            else
                lines.Add($"~ runs again: host command {c.Name}{On(c.Host)}");
            if (MajorChange(oldCommands[(c.Host, c.Name)].Guards, c.Guards) is { } change)
                lines.Add($"! {change}{On(c.Host)}");
        }

        // A declared upgrade is a downtime step of its own; a container that moves to another data volume (a rollback) is said so.
        foreach (var c in after.HostCommands.Where(c => c.Upgrades is not null && !oldCommands.ContainsKey((c.Host, c.Name))))
            lines.Add($"! {UpgradeStep(c.Upgrades!)}{On(c.Host)}");
        foreach (var c in after.HostCommands.Where(c => c.Guards is not null))
            if (oldCommands.TryGetValue((c.Host, c.Name), out var old) && old.Guards is { } guarded && guarded.Volume != c.Guards!.Volume
                && !after.HostCommands.Any(x => x.Host == c.Host && x.Upgrades?.Service == c.Guards.Service && !oldCommands.ContainsKey((x.Host, x.Name))))
                lines.Add($"! container {c.Guards.Service} runs on volume {c.Guards.Volume} instead of {guarded.Volume}{On(c.Host)} ({c.Guards.Setting} = {c.Guards.Image}; "
                    + $"it holds what it held when it was last used: what was written on {guarded.Volume} since is not in it)");

        foreach (var budget in after.Budgets)
            if (before.Budgets.FirstOrDefault(x => x.Server == budget.Server) is { } old && old.TotalMb != budget.TotalMb)
                lines.Add($"= memory{On(budget.Server)}: {Signed(budget.TotalMb - old.TotalMb)} MB ({old.TotalMb} -> {budget.TotalMb} MB of {budget.ServerMemoryMb} MB; {budget.FreeMb} MB free)");
        if (before.Cost.MonthlyEur != after.Cost.MonthlyEur)
            lines.Add($"= cost: {Signed(after.Cost.MonthlyEur - before.Cost.MonthlyEur)} EUR/month ({Eur(before.Cost.MonthlyEur)} -> {Eur(after.Cost.MonthlyEur)})");
        return [.. lines];
    }

    /// <summary>A declared upgrade as a downtime step, with its estimate and what it is based on.</summary>
    private static string UpgradeStep(Data.DataUpgradeSpec u) =>
        $"DOWNTIME, declared upgrade: container {u.Service} ({u.EngineName} {u.From} -> {u.To}, {u.Setting}): {Data.UpgradeScripts.CommandName(u.Service)} copies every database into the new volume {u.NewVolume}, "
        + $"verifies every table's row count and checksum and switches; {(u.Engine == Data.GuardedEngine.Postgres ? "the apps lose PostgreSQL (PgBouncer is stopped) until " + Data.UpgradeScripts.FinishCommandName(u.Service) + " runs" : "MariaDB refuses writes until the new container runs")}; "
        + $"{u.OldVolume} is kept as it was (rollback: {u.Setting}.rollback: true); {Data.UpgradeEstimate.Describe(u)}";

    /// <summary>What a guard's new image means for the data it guards: a new major (or an older Redis) is refused unless the data was upgraded; null otherwise (also when the container moves to another volume: a declared upgrade's or a rollback's).</summary>
    private static string? MajorChange(Data.GuardedData? before, Data.GuardedData? after)
    {
        if (before is null || after is null || before.Volume != after.Volume || Data.MajorVersionGuard.ImageVersion(after.Engine, after.Image) is not { } now
            || Data.MajorVersionGuard.ImageVersion(before.Engine, before.Image) is not { } was || now == was)
            return null;
        var guard = Data.MajorVersionGuard.CommandName(after.Service);
        if (after.Engine == Data.GuardedEngine.Redis)
            return Version.Parse(now) < Version.Parse(was)
                ? $"refused by the major-version guard if the data is newer: container {after.Service} (Redis {was} -> {now}, {after.Setting}; {guard} stops the deployment before the container is touched when its RDB files are newer than {now} reads)"
                : null;
        var engine = after.Engine == Data.GuardedEngine.Postgres ? "PostgreSQL" : "MariaDB";
        return $"refused by the major-version guard unless the data was upgraded first: container {after.Service} ({engine} {was} -> {now}, {after.Setting}; {guard} stops the deployment before the container is touched; docs/operations.md, Major-version upgrades)";
    }

    /// <summary>The verdicts as a block above the plan's line diff; empty when nothing changes.</summary>
    public static string Render(PlatformBlueprint before, PlatformBlueprint after)
    {
        var lines = Between(before, after);
        return lines.IsEmpty ? "" : $"@@ {Heading} @@\n{string.Concat(lines.Select(l => l + "\n"))}";
    }

    /// <summary>The <see cref="ContainerConfig"/> properties whose values differ, by name.</summary>
    public static ImmutableArray<string> ChangedFields(ContainerConfig before, ContainerConfig after) =>
        [.. typeof(ContainerConfig).GetProperties()
            .Where(p => JsonSerializer.Serialize(p.GetValue(before), Canonical) != JsonSerializer.Serialize(p.GetValue(after), Canonical))
            .Select(p => p.Name)];

    private static string Describe(string field, ContainerConfig before, ContainerConfig after) => field switch
    {
        "Image" => $"image {before.Image} -> {after.Image}",
        "MemoryMb" => $"memory {before.MemoryMb} -> {after.MemoryMb} MB",
        "Cpus" => $"CPUs {before.Cpus} -> {after.Cpus}",
        "Restart" => $"restart {before.Restart} -> {after.Restart}",
        "Healthcheck" => "health check",
        "Env" => $"env {string.Join(", ", before.Env.Keys.Union(after.Env.Keys).Where(k => before.Env.GetValueOrDefault(k)?.Masked != after.Env.GetValueOrDefault(k)?.Masked))}",
        "Uploads" => "files",
        _ => field.ToLowerInvariant() switch { "memoryswapmb" => "swap", var f => f },
    };

    /// <summary>Who notices while a container is gone: the containers that depend on it, or the public hosts it serves.</summary>
    private static string Notices(PlatformBlueprint b, ServiceSpec s)
    {
        if (s.Kind == ServiceKind.Edge)
            return "every public host fails to connect until it is back";
        if (s.OneShot || !s.StartOnDeploy)
            return "no user notices: it is not a serving container";
        if (s.App is { } app)
            return $"{app} is unavailable until the new container is healthy";
        // Whoever depends on it, directly or through another service (the apps behind PgBouncer use PostgreSQL).
        var users = new SortedSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal) { s.Name };
        var queue = new Queue<string>([s.Name]);
        while (queue.TryDequeue(out var name))
            foreach (var x in b.Services.Where(x => x.DependsOn.Contains(name) && seen.Add(x.Name)))
            {
                users.Add(x.App ?? x.Name);
                queue.Enqueue(x.Name);
            }
        return users.Count == 0 ? "nothing depends on it" : $"{string.Join(", ", users)} lose their connections to it until it is healthy again";
    }

    private static string On(Parts.ServerKey host) => host.IsSingle ? "" : $" on {host}";

    private static string Signed(int n) => n > 0 ? $"+{n}" : n.ToString(CultureInfo.InvariantCulture);

    private static string Signed(decimal n) => (n > 0 ? "+" : "") + Eur(n);

    private static string Eur(decimal n) => n.ToString("0.00", CultureInfo.InvariantCulture);

    private sealed class SecretTextMasked : JsonConverter<SecretText>
    {
        public override SecretText Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("Compared only.");

        public override void Write(Utf8JsonWriter writer, SecretText value, JsonSerializerOptions options) => writer.WriteStringValue(value.Masked);
    }
}
