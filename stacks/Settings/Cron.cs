namespace Platform.Stacks.Settings;

/// <summary>Checks five-field cron expressions (minute hour day-of-month month day-of-week), as cron and the backup job read them.</summary>
public static class Cron
{
    private static readonly (string Name, int Min, int Max)[] Fields =
    [
        ("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 7),
    ];

    /// <summary>Null when <paramref name="expression"/> is valid; otherwise what is wrong with it.</summary>
    public static string? Problem(string expression)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5) return $"it has {fields.Length} field(s), not 5.";
        for (var i = 0; i < 5; i++)
        {
            var (name, min, max) = Fields[i];
            foreach (var item in fields[i].Split(','))
            {
                if (ItemProblem(item, min, max) is { } problem) return $"the {name} field '{fields[i]}' {problem}";
            }
        }
        return null;
    }

    private static string? ItemProblem(string item, int min, int max)
    {
        var range = item;
        var slash = item.IndexOf('/');
        if (slash >= 0)
        {
            if (!int.TryParse(item[(slash + 1)..], out var step) || step < 1 || step > max)
                return $"has a bad step '{item[(slash + 1)..]}'.";
            range = item[..slash];
        }
        if (range == "*") return null;
        var dash = range.IndexOf('-');
        if (dash >= 0)
        {
            if (!int.TryParse(range[..dash], out var lo) || !int.TryParse(range[(dash + 1)..], out var hi))
                return $"has a bad range '{range}'.";
            if (lo < min || hi > max || lo > hi) return $"has the range {range} outside {min}-{max}.";
            return null;
        }
        if (!int.TryParse(range, out var value)) return $"has '{range}', which is not a number.";
        if (value < min || value > max) return $"has {value}, outside {min}-{max}.";
        return null;
    }
}
