using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.MariaDb;

/// <summary>The MariaDB part's validation run on a stack's settings, each error keyed where the user wrote the value.</summary>
internal static class MariaDbSettingsRules
{
    /// <summary>
    /// The MariaDB part's own validation (settings and every app's database request), its errors re-keyed to
    /// where a user wrote the value: the flat <c>mariadb*</c> settings, an app's name (which names its database
    /// and user) or its <c>needs.database.connectionLimit</c>.
    /// </summary>
    public static void Check(StackSettings s, NodeReader r)
    {
        var requests = MariaDbBlueprint.Requests(s);
        const string settingsKey = "platform:mariadb";
        string RequestKey(int i) => $"{requests[i].App.Key}.needs.database";
        var settingKeys = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [$"{settingsKey}.image"] = "platform:mariadbImage",
            [$"{settingsKey}.memoryMb"] = "platform:mariadbMemoryMb",
            [$"{settingsKey}.maxConnections"] = "platform:mariadbMaxConnections",
        };
        // Settings are checked even when no app uses MariaDB yet, so a bad value never waits for the first such app.
        var nameProblems = new SortedDictionary<int, List<string>>();
        foreach (var e in MariaDbValidation.Errors(s.MariaDb, [.. requests.Select(x => x.Request)], settingsKey, RequestKey))
        {
            var i = Enumerable.Range(0, requests.Length).FirstOrDefault(j => e.Key.StartsWith(RequestKey(j) + ".", StringComparison.Ordinal), -1);
            if (settingKeys.TryGetValue(e.Key, out var flat))
                r.Error(flat, e.Problem, e.Fix);
            else if (i >= 0 && e.Key.EndsWith(".database", StringComparison.Ordinal) && requests[i].App.Database?.Name is not null)
                r.Error($"{RequestKey(i)}.name", e.Problem, e.Fix);
            else if (i >= 0 && e.Key.EndsWith(".user", StringComparison.Ordinal) && (requests[i].App.Database?.Role ?? requests[i].App.Database?.Name) is not null)
                r.Error($"{RequestKey(i)}.{(requests[i].App.Database?.Role is null ? "name" : "role")}", e.Problem, e.Fix);
            else if (i >= 0 && (e.Key.EndsWith(".database", StringComparison.Ordinal) || e.Key.EndsWith(".user", StringComparison.Ordinal)))
                (nameProblems.TryGetValue(i, out var list) ? list : nameProblems[i] = []).Add(e.Problem.TrimEnd('.'));
            else
                r.Error(e.Key, e.Problem, e.Fix);
        }
        // The app's name is both its database's and its user's: one error for it, with every reason.
        foreach (var (i, problems) in nameProblems)
            r.Error($"{requests[i].App.Key}.name", $"'{requests[i].App.Name}' cannot name a MariaDB database and user: {string.Join("; ", problems)}.", "Choose another app name.");
    }
}
