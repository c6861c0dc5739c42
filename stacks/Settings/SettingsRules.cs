using Platform.Stacks.Blueprint;

namespace Platform.Stacks.Settings;

/// <summary>
/// Rules that span several settings, in the order their errors are reported: app names, then each part's rules across
/// the stack (routes, databases, Redis, env and secrets, edge, DNS, topology, MariaDB, connections, memory budgets).
/// </summary>
internal static class SettingsRules
{
    public static void Check(StackSettings s, NodeReader r)
    {
        var byName = new Dictionary<string, AppSettings>(StringComparer.Ordinal);
        foreach (var app in s.Apps)
        {
            if (app.Name.Length == 0) continue;
            if (ServiceNames.All.Contains(app.Name) || app.Name.StartsWith(ServiceNames.Backup + "-", StringComparison.Ordinal)
                || app.Name == Operations.AutoKuma.SetupContainerName)
                r.Error($"{app.Key}.name", $"'{app.Name}' is the name of a platform service, so it would not resolve to the app.", "Choose another name, e.g. 'my-" + app.Name + "'.");
            else if (!byName.TryAdd(app.Name, app))
                r.Error($"{app.Key}.name", $"'{app.Name}' is used by {byName[app.Name].Key} too.", "Give every app a unique name.");
        }

        Parts.Edge.RouteRules.Check(s, r);
        Parts.Postgres.PostgresSettingsRules.CheckAppNames(s, r);
        Parts.Apps.AppSettingsRules.CheckApps(s, r, byName);
        Parts.Apps.AppSettingsRules.CheckSecrets(s, r, byName);

        AppRules.Check(s, r, byName);
        Parts.Edge.CacheRules.Check(s, r);
        Parts.Edge.StaticFiles.Check(s, r);
        Parts.Edge.NestedWildcards.Check(s, r);
        Parts.Dns.ZoneRecords.CheckStack(s, r);
        InputRules.Check(s, r);
        Parts.TopologyRules.Check(s, r);

        Parts.MariaDb.MariaDbSettingsRules.Check(s, r);
        Parts.Postgres.PostgresSettingsRules.CheckConnections(s, r);
        Parts.Server.MemoryBudgetRules.Check(s, r);
    }

    public static string Fqdn(string host, string domain) => host switch
    {
        "@" => domain,
        _ => $"{host}.{domain}",
    };
}
