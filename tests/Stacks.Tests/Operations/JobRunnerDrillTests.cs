using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.Apps;
using Platform.Stacks.Tests.Integration;

namespace Platform.Stacks.Tests.Operations;

/// <summary>
/// The script a job's systemd timer runs, by sh, against stand-ins for docker and curl: the job's exit code
/// becomes the timer's and the heartbeat's (up, or down with the code), pushed to Uptime Kuma's edge address.
/// </summary>
public sealed class JobRunnerDrillTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("job-drill-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private async Task<(ProcResult Result, string[] Calls)> Run(int jobExit)
    {
        var bin = Directory.CreateDirectory(Path.Combine(_root, "bin")).FullName;
        File.WriteAllText(Path.Combine(bin, "docker"), """
            #!/bin/sh
            echo "docker $*" >> "$DRILL/calls.log"
            case "$1" in
              start) exit "$JOB_EXIT" ;;
              inspect) echo 172.18.0.5 ;;
            esac
            """ + "\n");
        File.WriteAllText(Path.Combine(bin, "curl"), "#!/bin/sh\necho \"curl $*\" >> \"$DRILL/calls.log\"\n");
        foreach (var tool in new[] { "docker", "curl" })
            Assert.True((await Proc.RunAsync("chmod", ["+x", Path.Combine(bin, tool)])).Ok);
        File.WriteAllText(Path.Combine(_root, "run-job.sh"), AppsBlueprint.RunJobScript);
        var result = await Proc.RunAsync("sh", [Path.Combine(_root, "run-job.sh"), "app-crm.job.nightly-report"], env: new Dictionary<string, string>
        {
            ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}",
            ["DRILL"] = _root,
            ["JOB_EXIT"] = jobExit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PUSH_TOKEN"] = "tok123",
        });
        return (result, File.ReadAllLines(Path.Combine(_root, "calls.log")));
    }

    [Fact]
    public async Task A_job_that_exits_0_pushes_up_and_succeeds()
    {
        var (result, calls) = await Run(0);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("docker start -a app-crm.job.nightly-report", calls[0]);
        Assert.Contains(calls, c => c.StartsWith("curl ", StringComparison.Ordinal)
            && c.Contains("http://172.18.0.5:3001/api/push/tok123?status=up&msg=OK", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failing_job_pushes_down_with_its_exit_code_and_fails_the_timer()
    {
        var (result, calls) = await Run(3);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(calls, c => c.Contains("/api/push/tok123?status=down&msg=exit%20code%203", StringComparison.Ordinal));
    }
}
