using System.Collections.Immutable;
using Platform.Stacks.Data;
using Platform.Stacks.Model;
using Platform.Stacks.Parts;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Blueprint;

public static partial class BlueprintBuilder
{
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
    private static (List<ServiceSpec> Services, ImmutableArray<HostCommandSpec> Commands) WithMajorVersionGuards(
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
