using Platform.Stacks.Operations;

namespace Platform.Stacks.Tests.Operations;

public class CronScheduleTests
{
    [Theory]
    [InlineData("0 3 * * *")]
    [InlineData("0 8-18 * * 1-5")]
    [InlineData("*/15 * * * *")]
    [InlineData("0,30 1-5/2 1,15 JAN-jun mon-FRI")]
    [InlineData("5/10 * ? * *")]
    [InlineData("  0   4 * * *  ")]
    public void Valid_expressions_have_no_problem(string cron) => Assert.Null(CronSchedule.Problem(cron));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("0 3 * *", "4 field(s), not 5")]
    [InlineData("0 0 3 * * *", "6 field(s), not 5")]
    [InlineData("@daily", "macro")]
    [InlineData("60 3 * * *", "minute field '60' has 60, outside 0-59")]
    [InlineData("0 24 * * *", "hour field '24'")]
    [InlineData("0 3 0 * *", "day of month field '0'")]
    [InlineData("0 3 * 13 *", "month field '13'")]
    [InlineData("0 3 * * 7", "day of week field '7' has 7, outside 0-6")]
    [InlineData("0 18-8 * * *", "runs backwards")]
    [InlineData("*/0 * * * *", "step '0'")]
    [InlineData("a * * * *", "'a', which is not a number")]
    [InlineData("0 3 * * FUNDAY", "not a number or name")]
    [InlineData("0,,5 3 * * *", "empty list item")]
    // Cronos (which computes the occurrences) takes these, robfig/cron (the scheduler that runs them) does not:
    [InlineData("0 3 L * *", "'L', which is not a number")]
    [InlineData("0 3 15W * *", "'15W', which is not a number")]
    [InlineData("0 3 * * 1#2", "'1#2', which is not a number or name")]
    [InlineData("0 3 * * 5L", "'5L', which is not a number or name")]
    [InlineData("0 3 * * 0-7", "has 0-7, outside 0-6")]
    [InlineData("@weekly", "macro")]
    [InlineData("0 22-2 * * *", "runs backwards")]
    public void Invalid_expressions_say_what_is_wrong(string cron, string expected)
    {
        var problem = CronSchedule.Problem(cron);
        Assert.NotNull(problem);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => CronSchedule.Parse(cron));
    }

    [Fact]
    public void Matches_follows_cron_semantics()
    {
        var hourly = CronSchedule.Parse("0 8-18 * * 1-5");
        Assert.True(hourly.Matches(new DateTime(2025, 6, 2, 8, 0, 0, DateTimeKind.Utc)));   // Monday 08:00
        Assert.True(hourly.Matches(new DateTime(2025, 6, 6, 18, 0, 0, DateTimeKind.Utc)));  // Friday 18:00
        Assert.False(hourly.Matches(new DateTime(2025, 6, 7, 10, 0, 0, DateTimeKind.Utc))); // Saturday
        Assert.False(hourly.Matches(new DateTime(2025, 6, 2, 19, 0, 0, DateTimeKind.Utc)));
        // Both day fields restricted: either matches (cron's OR rule).
        var either = CronSchedule.Parse("0 0 1 * MON");
        Assert.True(either.Matches(new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc)));  // 1st (a Sunday)
        Assert.True(either.Matches(new DateTime(2025, 6, 2, 0, 0, 0, DateTimeKind.Utc)));  // a Monday
        Assert.False(either.Matches(new DateTime(2025, 6, 3, 0, 0, 0, DateTimeKind.Utc)));
    }

    [Theory]
    [InlineData("0 3 * * *", 24 * 60)]
    [InlineData("*/15 * * * *", 15)]
    [InlineData("0 8-18 * * 1-5", 62 * 60)] // Friday 18:00 to Monday 08:00
    [InlineData("0 4 * * 0", 7 * 24 * 60)]
    public void Longest_gap_between_runs(string cron, int minutes) =>
        Assert.Equal(TimeSpan.FromMinutes(minutes), CronSchedule.Parse(cron).LongestGap());

    [Theory]
    [InlineData("5,35 1-3 1 * 1")]
    [InlineData("0 12 29 2 *")]
    [InlineData("*/20 */7 */3 */2 *")]
    [InlineData("* * 29 2 *")]
    public void Longest_gap_equals_a_minute_by_minute_scan(string cron)
    {
        var schedule = CronSchedule.Parse(cron);
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        DateTime? previous = null;
        var longest = TimeSpan.Zero;
        for (var t = start; t < start.AddYears(5); t = t.AddMinutes(1))
        {
            if (!schedule.Matches(t)) continue;
            if (previous is { } p && t - p > longest) longest = t - p;
            previous = t;
        }
        Assert.Equal(longest, schedule.LongestGap());
        // A leap-day schedule waits four years, however often it fires on the day itself.
        if (cron.Contains("29 2", StringComparison.Ordinal)) Assert.True(longest > TimeSpan.FromDays(365 * 4 - 1), longest.ToString());
    }

    [Theory]
    [InlineData("0 0 1 * MON", "2025-06-01T00:00", "2025-06-02T00:00")] // the 1st (a Sunday), then a Monday: either day field
    [InlineData("0 0 1 * MON", "2025-06-02T00:00", "2025-06-09T00:00")]
    [InlineData("0 0 13 * FRI", "2025-06-06T00:00", "2025-06-13T00:00")]
    [InlineData("? 5 * * *", "2025-06-01T05:00", "2025-06-01T05:01")] // '?' in any field, as robfig/cron reads it
    [InlineData("5/20 * * * *", "2025-06-01T00:45", "2025-06-01T01:05")]
    [InlineData("0 12 * * SAT/2", "2025-06-01T00:00", "2025-06-07T12:00")] // SAT/2 is Saturday only (6-6), not 6,8=Sunday
    public void Next_run_follows_robfig_cron(string cron, string from, string expected)
    {
        var at = DateTime.SpecifyKind(DateTime.Parse(from, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc);
        var next = CronSchedule.Parse(cron).Next(at);
        Assert.Equal(DateTime.SpecifyKind(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc), next);
    }

    [Fact]
    public void A_schedule_that_never_fires_has_no_gap() => Assert.Null(CronSchedule.Parse("0 0 31 2 *").LongestGap());
}
