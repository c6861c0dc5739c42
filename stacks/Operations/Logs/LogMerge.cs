using System.Globalization;

namespace Platform.Stacks.Operations.Logs;

/// <summary>
/// One line of <c>docker logs --timestamps</c>: its time stamp (RFC 3339 with nanoseconds, as docker writes it), the text
/// after it, where it came from (<c>server/instance</c>) and its place in that source's output (for a stable order).
/// </summary>
public sealed record LogLine(DateTimeOffset At, long Nanos, string Stamp, string Source, string Text, long Sequence)
{
    /// <summary>As printed: <c>[server/instance] 2026-12-07T10:00:00.123456789Z text</c>.</summary>
    public override string ToString() => $"[{Source}] {Stamp} {Text}";

    /// <summary>
    /// Reads a line of <c>docker logs --timestamps</c>; null when it has no time stamp (a message of docker or ssh,
    /// not of the container).
    /// </summary>
    public static LogLine? Parse(string line, string source, long sequence)
    {
        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var stamp = space < 0 ? line : line[..space];
        var text = space < 0 ? "" : line[(space + 1)..];
        if (!TryStamp(stamp, out var at, out var nanos)) return null;
        return new LogLine(at, nanos, stamp, source, text, sequence);
    }

    /// <summary>
    /// RFC 3339 with up to 9 fractional digits (docker's <c>RFC3339Nano</c>), any offset. .NET keeps 7 digits: the rest
    /// is kept apart, so lines 100 ns apart still sort right.
    /// </summary>
    private static bool TryStamp(string stamp, out DateTimeOffset at, out long nanos)
    {
        at = default;
        nanos = 0;
        if (stamp.Length < 20 || stamp[4] != '-' || stamp[10] != 'T') return false;
        var dot = stamp.IndexOf('.', 19);
        var zone = stamp.IndexOfAny(['Z', '+', '-'], 19);
        if (zone < 0) return false;
        var fraction = dot >= 0 && dot < zone ? stamp[(dot + 1)..zone] : "";
        if (fraction.Length > 9 || !fraction.All(char.IsAsciiDigit)) return false;
        var head = dot >= 0 && dot < zone ? stamp[..dot] : stamp[..zone];
        if (!DateTimeOffset.TryParseExact(head + stamp[zone..], ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:sszzz"], CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal, out at))
            return false;
        nanos = fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(9, '0'), CultureInfo.InvariantCulture);
        return true;
    }

    /// <summary>Earlier first; equal times keep their source's order, then the source's name.</summary>
    public static readonly IComparer<LogLine> Order = Comparer<LogLine>.Create((a, b) =>
    {
        // At holds whole seconds (the fraction is in Nanos).
        var c = a.At.UtcTicks.CompareTo(b.At.UtcTicks);
        if (c != 0) return c;
        c = a.Nanos.CompareTo(b.Nanos);
        if (c != 0) return c;
        var s = string.CompareOrdinal(a.Source, b.Source);
        return s != 0 ? s : a.Sequence.CompareTo(b.Sequence);
    });
}

/// <summary>
/// Merges the lines of several containers by time. <see cref="All"/> for what is read to the end; <see cref="Follower"/>
/// while following, where a line is held for a short window so that a line of another server that was written earlier
/// but arrives a little later still comes first.
/// </summary>
public static class LogMerge
{
    /// <summary>Every line of every source, by time (a stable merge: equal times keep their order).</summary>
    public static IReadOnlyList<LogLine> All(IEnumerable<LogLine> lines) => [.. lines.OrderBy(l => l, LogLine.Order)];

    /// <summary>Holds lines for <paramref name="window"/> of arrival time, then releases them by time stamp.</summary>
    public sealed class Follower(TimeSpan window)
    {
        private readonly SortedSet<LogLine> _held = new(LogLine.Order);
        private readonly Queue<(DateTimeOffset Arrived, LogLine Line)> _arrivals = new();

        public void Add(LogLine line, DateTimeOffset now)
        {
            _held.Add(line);
            _arrivals.Enqueue((now, line));
        }

        /// <summary>
        /// The lines to print now, in time order: every line held longer than the window, and every line earlier than one
        /// of those (it cannot be printed later without breaking the order).
        /// </summary>
        public IReadOnlyList<LogLine> Release(DateTimeOffset now)
        {
            LogLine? latestDue = null;
            while (_arrivals.Count > 0 && now - _arrivals.Peek().Arrived >= window)
            {
                var line = _arrivals.Dequeue().Line;
                if (_held.Contains(line) && (latestDue is null || LogLine.Order.Compare(line, latestDue) > 0)) latestDue = line;
            }
            if (latestDue is null) return [];
            var due = _held.GetViewBetween(_held.Min!, latestDue).ToList();
            foreach (var line in due) _held.Remove(line);
            return due;
        }

        /// <summary>Everything still held, in time order (at the end).</summary>
        public IReadOnlyList<LogLine> Drain()
        {
            var rest = _held.ToList();
            _held.Clear();
            _arrivals.Clear();
            return rest;
        }
    }
}
