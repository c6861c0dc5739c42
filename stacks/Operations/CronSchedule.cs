using System.Collections.Immutable;
using System.Globalization;
using Cronos;

namespace Platform.Stacks.Operations;

/// <summary>
/// A five-field cron expression (minute hour day-of-month month day-of-week, UTC) as the backup
/// container's scheduler (robfig/cron, used by offen/docker-volume-backup) reads it: numbers,
/// <c>*</c>, ranges <c>a-b</c>, steps <c>*/n</c> <c>a-b/n</c> <c>a/n</c>, lists, and month / weekday
/// names (JAN–DEC, SUN–SAT). Day of week is 0–6 (Sunday = 0); 7 is refused because that scheduler
/// refuses it. As in cron, when both day fields are restricted a day matches either of them.
/// </summary>
/// <remarks>
/// Occurrences (<see cref="Matches"/>, <see cref="Next"/>, <see cref="LongestGap"/>) come from Cronos. Its language is
/// wider than robfig/cron's, so the fields are first checked here, item by item, and Cronos gets the schedule as
/// explicit value lists: Cronos also takes macros (<c>@daily</c>), <c>L</c>, <c>W</c>, <c>#</c>, seconds, a weekday 7,
/// ranges that wrap around (<c>18-8</c>) and <c>MON/2</c> up to weekday 7, none of which robfig/cron runs as written; and
/// when both day fields are restricted Cronos wants both to match, where cron (and robfig/cron) wants either, so such a
/// schedule is two Cronos expressions, one per day field, whose occurrences are merged.
/// </remarks>
public sealed record CronSchedule
{
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    private static readonly (string Name, int Min, int Max, string[]? Names, int NameBase)[] Fields =
    [
        ("minute", 0, 59, null, 0),
        ("hour", 0, 23, null, 0),
        ("day of month", 1, 31, null, 0),
        ("month", 1, 12, MonthNames, 1),
        ("day of week", 0, 6, DayNames, 0),
    ];

    private CronSchedule(string expression, ImmutableArray<bool[]> allowed, bool domStar, bool dowStar)
    {
        Expression = expression;
        _allowed = allowed;
        _domStar = domStar;
        _dowStar = dowStar;
        string Field(int field, bool star = false)
        {
            var (_, min, max, _, _) = Fields[field];
            var values = Enumerable.Range(min, max - min + 1).Where(v => allowed[field][v]).ToList();
            return star || values.Count == max - min + 1 ? "*" : string.Join(",", values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
        }
        var time = $"{Field(0)} {Field(1)}";
        _cronos = domStar || dowStar
            ? [CronExpression.Parse($"{time} {Field(2, domStar)} {Field(3)} {Field(4, dowStar)}", CronFormat.Standard)]
            : [CronExpression.Parse($"{time} {Field(2)} {Field(3)} *", CronFormat.Standard), CronExpression.Parse($"{time} * {Field(3)} {Field(4)}", CronFormat.Standard)];
    }

    private readonly ImmutableArray<bool[]> _allowed;
    private readonly bool _domStar;
    private readonly bool _dowStar;
    /// <summary>One expression, or two (day of month, day of week) whose union is the schedule.</summary>
    private readonly ImmutableArray<CronExpression> _cronos;

    /// <summary>The expression as given (trimmed).</summary>
    public string Expression { get; }

    /// <summary>Null when <paramref name="expression"/> is a valid five-field cron schedule; otherwise one sentence saying what is wrong.</summary>
    public static string? Problem(string? expression)
    {
        TryParse(expression, out _, out var problem);
        return problem;
    }

    /// <summary>Parses, or throws <see cref="FormatException"/> with the problem.</summary>
    public static CronSchedule Parse(string expression) =>
        TryParse(expression, out var schedule, out var problem) ? schedule! : throw new FormatException($"'{expression}' is not a valid cron schedule: {problem}");

    public static bool TryParse(string? expression, out CronSchedule? schedule, out string? problem)
    {
        schedule = null;
        if (string.IsNullOrWhiteSpace(expression))
        {
            problem = "it is empty; use five fields: minute hour day-of-month month day-of-week, e.g. '0 3 * * *'.";
            return false;
        }
        var trimmed = expression.Trim();
        if (trimmed.StartsWith('@'))
        {
            problem = $"'{trimmed}' is a macro; write the five fields instead (e.g. '0 3 * * *' for 03:00 daily).";
            return false;
        }
        var parts = trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 5)
        {
            problem = $"it has {parts.Length} field(s), not 5 (minute hour day-of-month month day-of-week).";
            return false;
        }
        var allowed = ImmutableArray.CreateBuilder<bool[]>(5);
        for (var i = 0; i < 5; i++)
        {
            var (name, min, max, names, nameBase) = Fields[i];
            var set = new bool[max + 1];
            foreach (var item in parts[i].Split(','))
            {
                if (ItemProblem(item, min, max, names, nameBase, set) is { } itemProblem)
                {
                    problem = $"the {name} field '{parts[i]}' {itemProblem}";
                    return false;
                }
            }
            allowed.Add(set);
        }
        problem = null;
        schedule = new CronSchedule(string.Join(' ', parts), allowed.MoveToImmutable(), parts[2] is "*" or "?", parts[4] is "*" or "?");
        return true;
    }

    private static string? ItemProblem(string item, int min, int max, string[]? names, int nameBase, bool[] set)
    {
        if (item.Length == 0) return "has an empty list item.";
        var range = item;
        var step = 1;
        var slash = item.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            var stepText = item[(slash + 1)..];
            if (!int.TryParse(stepText, NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1 || step > max)
                return $"has the step '{stepText}', which is not a number from 1 to {max}.";
            range = item[..slash];
        }
        int lo, hi;
        if (range is "*" or "?")
        {
            (lo, hi) = (min, max);
        }
        else
        {
            var dash = range.IndexOf('-', StringComparison.Ordinal);
            var loText = dash >= 0 ? range[..dash] : range;
            if (Value(loText, names, nameBase) is not { } l) return $"has '{loText}', which is not a number{(names is null ? "" : " or name")}.";
            lo = l;
            if (dash >= 0)
            {
                var hiText = range[(dash + 1)..];
                if (Value(hiText, names, nameBase) is not { } h) return $"has '{hiText}', which is not a number{(names is null ? "" : " or name")}.";
                hi = h;
            }
            else
            {
                hi = slash >= 0 ? max : lo; // 'a/n' means from a to the end, every n
            }
            if (lo < min || lo > max || hi < min || hi > max) return $"has {range}, outside {min}-{max}.";
            if (lo > hi) return $"has the range {range}, which runs backwards.";
        }
        for (var v = lo; v <= hi; v += step) set[v] = true;
        return null;
    }

    private static int? Value(string text, string[]? names, int nameBase)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return n;
        if (names is null) return null;
        var index = Array.FindIndex(names, x => string.Equals(x, text, StringComparison.OrdinalIgnoreCase));
        return index < 0 ? null : index + nameBase;
    }

    /// <summary>A systemd timer unit described as <paramref name="description"/> that fires on the cron <paramref name="schedule"/> (UTC).</summary>
    public static string TimerUnit(string description, string schedule) => string.Join("\n",
    [
        "[Unit]",
        $"Description={description}",
        "",
        "[Timer]",
        .. Parse(schedule).SystemdCalendars().Select(c => $"OnCalendar={c}"),
        "",
        "[Install]",
        "WantedBy=timers.target",
        "",
    ]);

    /// <summary>
    /// The schedule as systemd timer <c>OnCalendar=</c> values (UTC), for jobs a host timer starts. systemd matches
    /// day of month AND day of week, cron either when both are restricted: that case becomes two calendars, which
    /// a timer fires on when either matches.
    /// </summary>
    public ImmutableArray<string> SystemdCalendars()
    {
        string Values(int field, string[]? names = null)
        {
            var (_, min, max, _, _) = Fields[field];
            var values = Enumerable.Range(min, max - min + 1).Where(v => _allowed[field][v]).ToList();
            return values.Count == max - min + 1 ? "*"
                : string.Join(",", values.Select(v => names?[v] ?? v.ToString("00", CultureInfo.InvariantCulture)));
        }
        string[] weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
        var time = $"{Values(1)}:{Values(0)}:00 UTC";
        var months = Values(3);
        var byDate = $"*-{months}-{Values(2)} {time}";
        var byWeekday = $"{Values(4, weekdays)} *-{months}-* {time}";
        if (_dowStar) return [byDate];
        if (_domStar) return [byWeekday];
        return [byDate, byWeekday];
    }

    /// <summary>Whether the schedule fires at <paramref name="t"/> (UTC, to the minute).</summary>
    public bool Matches(DateTime t)
    {
        var minute = new DateTime(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, DateTimeKind.Utc);
        return Next(minute, inclusive: true) == minute;
    }

    /// <summary>The first run after <paramref name="from"/> (UTC; at it too when <paramref name="inclusive"/>), or null if there is none.</summary>
    public DateTime? Next(DateTime from, bool inclusive = false)
    {
        from = DateTime.SpecifyKind(from, DateTimeKind.Utc);
        DateTime? first = null;
        foreach (var cron in _cronos)
            if (cron.GetNextOccurrence(from, inclusive) is { } next && (first is null || next < first)) first = next;
        return first;
    }

    /// <summary>
    /// The longest time between two consecutive runs within five years from a fixed date (so every
    /// weekday, month length and leap day occurs, leap days twice); null if the schedule never fires in that time.
    /// A heartbeat monitor for the job must allow at least this long between successes.
    /// </summary>
    public TimeSpan? LongestGap()
    {
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        // Five years, not four: every leap day's schedule then fires in two leap years, so the gap between
        // them is seen ('* * 29 2 *' fires every minute of one day, then not for four years).
        var end = start.AddYears(5);
        if (Next(start, inclusive: true) is not { } first || first >= end) return null;
        // Every matching day has the same times of day (the minute and hour fields do not depend on the day), so
        // only a day's first and last run meet the neighbouring days' runs; the gaps inside a day are the same
        // every day. The first matching day gives the times; then from day to day.
        var times = new List<TimeSpan>();
        for (DateTime? t = first; t is { } run && run.Date == first.Date; t = Next(run)) times.Add(run.TimeOfDay);
        var withinDay = TimeSpan.Zero;
        for (var i = 1; i < times.Count; i++)
            if (times[i] - times[i - 1] > withinDay) withinDay = times[i] - times[i - 1];
        DateTime? previousLast = null;
        var runs = 0L;
        var longest = TimeSpan.Zero;
        for (DateTime? t = first; t is { } dayFirst && dayFirst < end; t = Next(previousLast!.Value))
        {
            if (previousLast is { } p && dayFirst - p > longest) longest = dayFirst - p;
            previousLast = dayFirst.Date + times[^1];
            runs += times.Count;
        }
        if (runs > 1 && withinDay > longest) longest = withinDay;
        return runs == 1 ? end - start : longest;
    }

    public override string ToString() => Expression;
}
