using System.Collections.Immutable;
using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Parts.Apps;

/// <summary>Reads an app's <c>release</c> (a command run before its new version starts) and <c>jobs</c> (commands on a cron schedule).</summary>
internal static class AppJobsReader
{
    public static System.Collections.Immutable.ImmutableArray<string> ReleaseKeys => AppSchema.Release.Keys;
    public static System.Collections.Immutable.ImmutableArray<string> JobKeys => AppSchema.Job.Keys;

    public static ReleaseSettings? ReadRelease(NodeReader r, IReadOnlyDictionary<string, YamlNode> m, string key)
    {
        if (!m.TryGetValue("release", out var relNode)) return null;
        var rm = r.Mapping(relNode, $"{key}.release", ReleaseKeys);
        var releaseCommand = r.OptionalList(rm, "command", $"{key}.release");
        if (releaseCommand.IsEmpty)
            r.Error($"{key}.release.command", "is required and must not be empty.", "Give the command as a list, e.g. 'command: [bin/rails, db:migrate]'.");
        return new ReleaseSettings(releaseCommand);
    }

    public static ImmutableArray<JobSettings> ReadJobs(NodeReader r, IReadOnlyDictionary<string, YamlNode> m, string key)
    {
        var jobs = ImmutableArray.CreateBuilder<JobSettings>();
        foreach (var (jobNode, jk) in r.Sequence(m.GetValueOrDefault("jobs"), $"{key}.jobs",
                     "Write each job as '- { name: nightly-report, schedule: \"0 2 * * *\", command: [bin/report] }'."))
        {
            var jm = r.Mapping(jobNode, jk, JobKeys);
            if (r.Required(jm, "name", jk, "Name the job, e.g. 'name: nightly-report'.", out var jobName) && !Names.IsAppName(jobName))
                r.Error($"{jk}.name", $"'{jobName}' is not a valid job name.", "Use 2–30 lower-case letters, digits and hyphens, starting with a letter, e.g. 'nightly-report'.");
            var schedule = r.String(jm.GetValueOrDefault("schedule"), $"{jk}.schedule").Trim();
            if (Operations.CronSchedule.Problem(schedule) is { } cronProblem)
                r.Error($"{jk}.schedule", jm.ContainsKey("schedule") ? $"'{schedule}' is not a valid cron schedule: {cronProblem}" : "is required.",
                    "Use five fields: minute hour day-of-month month day-of-week (UTC), e.g. \"0 2 * * *\" for 02:00 daily.");
            var jobCommand = r.OptionalList(jm, "command", jk);
            if (jobCommand.IsEmpty)
                r.Error($"{jk}.command", "is required and must not be empty.", "Give the command as a list, e.g. 'command: [bin/report, --yesterday]'.");
            jobs.Add(new JobSettings(jobName, schedule, jobCommand));
        }
        return jobs.ToImmutable();
    }
}
