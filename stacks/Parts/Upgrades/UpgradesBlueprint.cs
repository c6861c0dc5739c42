using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Data;
using Platform.Stacks.Model;
using Platform.Stacks.Parts.Upgrades;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;
using static Platform.Stacks.Blueprint.BuildKit;

namespace Platform.Stacks.Parts.Upgrades;

/// <summary>The declared major-version upgrades and every data service's major-version guard, placed on the stack's containers.</summary>
public static class UpgradesBlueprint
{
    /// <summary>A declared upgrade with what the blueprint needs of its engine.</summary>
    private sealed record DeclaredUpgrade(UpgradeSettings Settings, GuardedEngine Engine, string Service, string Setting, string BaseVolume, string Mount)
    {
        public string OldVolume => UpgradeSettingsReader.OldVolume(Settings, BaseVolume);
        public string NewVolume => UpgradeSettings.NewVolume(BaseVolume, Settings.To);
        public string EngineName => Engine == GuardedEngine.Postgres ? "PostgreSQL" : "MariaDB";
    }

    /// <summary>The stack's declared upgrades, of the engines it runs (a declaration whose majors could not be read has none).</summary>
    private static IEnumerable<DeclaredUpgrade> DeclaredUpgrades(StackSettings s)
    {
        if (s.Postgres.Upgrade is { From.Length: > 0, To.Length: > 0 } pg)
            yield return new(pg, GuardedEngine.Postgres, ServiceNames.Postgres, "postgresUpgrade", Parts.Postgres.PostgresBlueprint.DataVolume, Parts.Postgres.PostgresBlueprint.DataMount);
        if (s.UsesMariaDb && s.MariaDb.Upgrade is { From.Length: > 0, To.Length: > 0 } maria)
            yield return new(maria, GuardedEngine.MariaDb, ServiceNames.MariaDb, "mariadbUpgrade", Parts.MariaDb.MariaDbNames.DataVolume, Parts.MariaDb.MariaDbNames.DataDirectory);
    }

    /// <summary>
    /// A declared upgrade's volumes: the new one (the engine's volume name and the new major), and the old one, kept as it
    /// was at the switch (the rollback) unless <c>keepOld</c> is false.
    /// </summary>
    internal static ImmutableArray<VolumeSpec> WithUpgradeVolumes(StackSettings s, ImmutableArray<VolumeSpec> volumes)
    {
        var result = volumes.ToList();
        foreach (var d in DeclaredUpgrades(s))
        {
            var template = result.FirstOrDefault(v => v.Name == d.BaseVolume);
            if (template is null) continue;
            var u = d.Settings;
            var at = result.IndexOf(template);
            result.RemoveAt(at);
            var added = new List<VolumeSpec>();
            if (u.KeepOld || u.Rollback)
                added.Add(template with
                {
                    Name = d.OldVolume,
                    Purpose = u.Rollback
                        ? $"{d.EngineName} {u.From} data, run again by the rollback ({d.Setting}.rollback)"
                        : $"{d.EngineName} {u.From} data, kept as it was at the upgrade to {u.To} (the rollback: {d.Setting}.rollback: true; delete it with {d.Setting}.keepOld: false)",
                });
            added.Add(template with
            {
                Name = d.NewVolume,
                Purpose = u.Rollback
                    ? $"{d.EngineName} {u.To} data of the upgrade, kept after the rollback"
                    : $"{d.EngineName} {u.To} data directory (declared upgrade from {u.From})",
            });
            result.InsertRange(at, added);
        }
        return [.. result];
    }

    /// <summary>
    /// Points each upgraded container at its volume (the new one; the old one when rolling back) and adds the upgrade's
    /// host commands: <c>&lt;container&gt;-upgrade</c>, which the container waits for (copy, verify, switch), and for
    /// PostgreSQL <c>postgres-upgrade-finish</c> after it (PgBouncer back, statistics, pgBackRest's stanza).
    /// </summary>
    internal static (List<ServiceSpec> Services, ImmutableArray<HostCommandSpec> Commands) WithDeclaredUpgrades(
        StackSettings s, List<ServiceSpec> services, ImmutableArray<VolumeSpec> volumes, ImmutableArray<HostCommandSpec> commands)
    {
        var added = new List<HostCommandSpec>();
        var list = commands.ToList();
        foreach (var d in DeclaredUpgrades(s))
        {
            var index = services.FindIndex(x => x.Name == d.Service);
            if (index < 0) continue;
            var service = services[index];
            var u = d.Settings;
            var runsOn = u.Rollback ? d.OldVolume : d.NewVolume;
            service = service with { Mounts = [.. service.Mounts.Select(m => m.Kind == MountKind.Volume && m.Target == d.Mount ? m with { Source = runsOn } : m)] };
            if (!u.Rollback)
            {
                var pg = d.Engine == GuardedEngine.Postgres;
                var spec = new DataUpgradeSpec(d.Engine, d.Service, d.Setting, u.From, u.To, d.OldVolume, d.NewVolume,
                    volumes.FirstOrDefault(v => v.Name == d.NewVolume)?.HostPath, d.Mount, service.Image, service.Limits.MemoryMb,
                    service.Networks.FirstOrDefault()?.Network ?? ServiceNames.DataNetwork, Pitr: pg && s.Postgres.Pitr, DataGb: u.DataGb);
                var name = UpgradeScripts.CommandName(d.Service);
                added.Add(new HostCommandSpec(name,
                    $"DOWNTIME, declared upgrade ({d.Setting}): copies every database of {d.EngineName} {u.From} (volume {d.OldVolume}) into {d.EngineName} {u.To} on the new volume {d.NewVolume} "
                    + $"({(pg ? "PgBouncer stopped meanwhile" : "MariaDB read-only meanwhile")}), verifies every table's row count and checksum, then stops {d.Service} so that the deployment starts {u.To} on {d.NewVolume}; "
                    + $"{d.OldVolume} is kept as it was (the rollback). Runs once; a failure switches nothing; {UpgradeEstimate.Describe(spec)}",
                    "sh -s", SecretText.Plain(UpgradeScripts.Script(spec)), [])
                {
                    Part = service.Part,
                    // With point-in-time recovery the image is built on the server first.
                    AfterCommands = [.. service.AfterHostCommands.Where(c => c == HostCommandNames.PostgresImage)],
                    Upgrades = spec,
                });
                service = service with { AfterHostCommands = [.. service.AfterHostCommands, name] };
                if (pg)
                {
                    var finish = UpgradeScripts.FinishCommandName(d.Service);
                    added.Add(new HostCommandSpec(finish,
                        $"after the upgrade to PostgreSQL {u.To}: starts PgBouncer again (the downtime ends), refreshes the planner's statistics{(s.Postgres.Pitr ? ", upgrades pgBackRest's stanza and takes a full base backup" : "")}; once",
                        "sh -s", SecretText.Plain(UpgradeScripts.FinishScript(spec)), [d.Service]) { Part = service.Part, AfterCommands = [name] });
                    // pgBackRest's stanza must know the new cluster before its check runs again on the new container.
                    var stanza = list.FindIndex(c => c.Name == HostCommandNames.PostgresPitrStanza);
                    if (stanza >= 0) list[stanza] = list[stanza] with { AfterCommands = [.. list[stanza].AfterCommands, finish] };
                }
            }
            services[index] = service;
        }
        return (services, [.. list, .. added.OrderBy(c => c.Name, StringComparer.Ordinal)]);
    }

    /// <summary>Every data service of the stack whose image must match its data directory (see <see cref="MajorVersionGuard"/>).</summary>
    public static ImmutableArray<GuardedData> GuardedData(StackSettings s, IEnumerable<ServiceSpec> services)
    {
        var result = new List<GuardedData>();
        foreach (var service in services.OrderBy(x => x.Name, StringComparer.Ordinal))
        {
            // The volume the container runs on (a declared upgrade moves it to a new one).
            string Data(string mount) => service.Mounts.FirstOrDefault(m => m.Kind == MountKind.Volume && m.Target == mount)?.Source ?? "";
            if (service.Name == ServiceNames.Postgres)
                result.Add(new GuardedData(GuardedEngine.Postgres, service.Name, Data(Parts.Postgres.PostgresBlueprint.DataMount), "postgresImage", s.Postgres.Service.Image));
            else if (service.Name == Parts.MariaDb.MariaDbNames.Service)
                result.Add(new GuardedData(GuardedEngine.MariaDb, service.Name, Data(Parts.MariaDb.MariaDbNames.DataDirectory), "mariadbImage", service.Image));
            else if (service.Part == PartId.Redis && service.Mounts.FirstOrDefault(m => m.Kind == MountKind.Volume && m.Target == "/data") is { } data)
                result.Add(new GuardedData(GuardedEngine.Redis, service.Name, data.Source, "redisImage", service.Image));
        }
        return [.. result];
    }

    /// <summary>
    /// Adds each data service's major-version guard: a host command the container waits for, so the shell runs it (and
    /// a refusal stops the deployment) before the container is replaced. It runs again whenever the image changes.
    /// </summary>
    internal static (List<ServiceSpec> Services, ImmutableArray<HostCommandSpec> Commands) WithMajorVersionGuards(
        StackSettings s, List<ServiceSpec> services, ImmutableArray<HostCommandSpec> commands)
    {
        var guards = GuardedData(s, services).ToDictionary(g => g.Service, StringComparer.Ordinal);
        var added = new List<HostCommandSpec>();
        var updated = services.Select(ServiceSpec (service) =>
        {
            if (!guards.TryGetValue(service.Name, out var g)) return service;
            var name = MajorVersionGuard.CommandName(service.Name);
            // The guard reads files only, so it runs while the image PostgreSQL runs is built on the server (the container waits
            // for both). A declared upgrade prepares the new volume first: the guard then compares the copy it made.
            var after = service.AfterHostCommands.Where(c => c == UpgradeScripts.CommandName(service.Name)).ToImmutableArray();
            added.Add(new HostCommandSpec(name,
                g.Engine == GuardedEngine.Redis
                    ? $"refuses to let {service.Name} start on RDB files of a newer format than {g.Setting} ({g.Image}) reads; runs before the container is replaced"
                    : $"refuses to let {service.Name} start on a data directory of another major version than {g.Setting} ({g.Image}); runs before the container is replaced",
                "sh -s", SecretText.Plain(MajorVersionGuard.Script(g)), [])
            {
                Part = service.Part,
                AfterCommands = after,
                Guards = g,
            });
            return service with { AfterHostCommands = [.. service.AfterHostCommands, name] };
        }).ToList();
        return (updated, [.. commands, .. added.OrderBy(c => c.Name, StringComparer.Ordinal)]);
    }
}
