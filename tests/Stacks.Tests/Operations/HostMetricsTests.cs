using System.Diagnostics;
using Platform.Stacks.Operations;

namespace Platform.Stacks.Tests.Operations;

/// <summary>The threshold agent's script, run by a real sh against fixture /proc files and stand-ins for df, psql and wget.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HostMetricsTests
{
    private static Dictionary<string, string> Run(int cpuBusyPercent, int memoryUsedPercent, string diskPercent, string? connectionsPercent,
        IReadOnlyDictionary<string, string>? env = null, bool secretsAsFiles = false, string[]? skipFiles = null)
    {
        var root = Directory.CreateTempSubdirectory("thresholds-").FullName;
        try
        {
            var proc = Directory.CreateDirectory(Path.Combine(root, "proc")).FullName;
            // The script reads /proc/stat twice (two CPU samples): an idle baseline, then the busy sample.
            File.WriteAllText(Path.Combine(proc, "stat.0"), "cpu  0 0 0 0 0 0 0 0 0 0\n");
            File.WriteAllText(Path.Combine(proc, "stat.1"), $"cpu  {cpuBusyPercent} 0 0 {100 - cpuBusyPercent} 0 0 0 0 0 0\n");
            File.WriteAllText(Path.Combine(proc, "meminfo"), $"MemTotal:       1000000 kB\nMemFree:          10 kB\nMemAvailable:   {1000000 - memoryUsedPercent * 10000} kB\n");
            var bin = Directory.CreateDirectory(Path.Combine(root, "bin")).FullName;
            void Shim(string name, string body)
            {
                File.WriteAllText(Path.Combine(bin, name), "#!/bin/sh\n" + body + "\n");
                File.SetUnixFileMode(Path.Combine(bin, name), (UnixFileMode)0b111_101_101);
            }
            var awk = new[] { "/usr/bin/awk", "/bin/awk" }.First(File.Exists);
            Shim("awk", $"if [ \"$#\" = 2 ] && [ \"$2\" = {proc}/stat ]; then n=$(cat {root}/n 2>/dev/null || echo 0); echo $((n + 1)) > {root}/n; exec {awk} \"$1\" {proc}/stat.$n; fi\nexec {awk} \"$@\"");
            Shim("df", $"echo 'Filesystem 1024-blocks Used Available Capacity Mounted on'; echo '/dev/vda 100 50 50 {diskPercent} /host'");
            Shim("psql", $"echo \"$PGPASSWORD\" > {root}/pgpassword\n" + (connectionsPercent is null ? "exit 2" : $"echo {connectionsPercent}"));
            Shim("wget", $"for a in \"$@\"; do case \"$a\" in http*) echo \"$a\" >> {root}/pushes;; esac; done");
            Shim("touch", "exit 0");

            var script = Path.Combine(root, "thresholds.sh");
            File.WriteAllText(script, HostMetrics.Script(AlertThresholds.Default));
            var psi = new ProcessStartInfo("sh", [script]) { RedirectStandardError = true };
            psi.Environment["PATH"] = bin + ":/usr/bin:/bin";
            psi.Environment["PROC"] = proc;
            psi.Environment["ROOT"] = root;
            psi.Environment["ONCE"] = "1";
            psi.Environment["KUMA_URL"] = "http://kuma:3001";
            if (secretsAsFiles)
            {
                // As in the container: one file per variable under SecretsDir (moved under the test directory), no env.
                var secrets = Directory.CreateDirectory(Path.Combine(root, "secrets")).FullName;
                foreach (var (_, _, name) in HostMetrics.Metrics.Where(m => skipFiles?.Contains(m.TokenEnv) != true))
                    File.WriteAllText(Path.Combine(secrets, Path.GetFileName(HostMetrics.SecretFile(name))), "token-" + name + "\n");
                if (skipFiles?.Contains("PGPASSWORD") != true)
                    File.WriteAllText(Path.Combine(secrets, Path.GetFileName(HostMetrics.SecretFile("PGPASSWORD"))), "superuser-password\n");
                psi.Environment["SECRETS"] = secrets;
            }
            else
                foreach (var (_, _, name) in HostMetrics.Metrics) psi.Environment[name] = "token-" + name;
            foreach (var (name, value) in env ?? new Dictionary<string, string>()) psi.Environment[name] = value;
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, stderr);
            if (secretsAsFiles && skipFiles?.Contains("PGPASSWORD") != true)
                Assert.Equal("superuser-password", File.ReadAllText(Path.Combine(root, "pgpassword")).Trim());
            return File.ReadAllLines(Path.Combine(root, "pushes")).ToDictionary(
                l => l.Split("/api/push/")[1].Split('?')[0], l => Uri.UnescapeDataString(l.Split('?')[1]));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Below_warning_everything_is_up()
    {
        var pushes = Run(cpuBusyPercent: 10, memoryUsedPercent: 50, diskPercent: "40%", connectionsPercent: "12");
        Assert.Equal(4, pushes.Count);
        Assert.StartsWith("status=up&msg=CPU 10%&", pushes["token-PUSH_TOKEN_CPU"]);
        Assert.StartsWith("status=up&msg=Memory 50%&", pushes["token-PUSH_TOKEN_MEMORY"]);
        Assert.StartsWith("status=up&msg=Disk 40%&", pushes["token-PUSH_TOKEN_DISK"]);
        Assert.StartsWith("status=up&msg=DB connections 12%&", pushes["token-PUSH_TOKEN_DB_CONNECTIONS"]);
    }

    [Fact]
    public void The_tokens_and_the_password_come_from_the_secret_files_when_the_env_has_none()
    {
        var pushes = Run(cpuBusyPercent: 10, memoryUsedPercent: 50, diskPercent: "40%", connectionsPercent: "12", secretsAsFiles: true);
        Assert.Equal(["token-PUSH_TOKEN_CPU", "token-PUSH_TOKEN_DB_CONNECTIONS", "token-PUSH_TOKEN_DISK", "token-PUSH_TOKEN_MEMORY"], pushes.Keys.Order());
        Assert.StartsWith("status=up&msg=DB connections 12%&", pushes["token-PUSH_TOKEN_DB_CONNECTIONS"]);
    }

    [Fact]
    public void Above_warning_stays_up_with_a_warning_and_above_critical_goes_down()
    {
        var pushes = Run(cpuBusyPercent: 75, memoryUsedPercent: 95, diskPercent: "86%", connectionsPercent: "81");
        Assert.StartsWith("status=up&msg=CPU 75% >= 70% (warning)", pushes["token-PUSH_TOKEN_CPU"]);
        Assert.StartsWith("status=down&msg=Memory 95% >= 90% (critical)", pushes["token-PUSH_TOKEN_MEMORY"]);
        Assert.StartsWith("status=down&msg=Disk 86% >= 85% (critical)", pushes["token-PUSH_TOKEN_DISK"]);
        Assert.StartsWith("status=up&msg=DB connections 81% >= 80% (warning)", pushes["token-PUSH_TOKEN_DB_CONNECTIONS"]);
    }

    [Fact]
    public void A_metric_that_cannot_be_measured_goes_down()
    {
        var pushes = Run(cpuBusyPercent: 10, memoryUsedPercent: 10, diskPercent: "10%", connectionsPercent: null);
        Assert.StartsWith("status=down&msg=DB connections could not be measured", pushes["token-PUSH_TOKEN_DB_CONNECTIONS"]);
    }

    [Fact]
    public void On_an_app_server_the_agent_reports_cpu_memory_and_disk_and_skips_the_database_it_does_not_have()
    {
        // The app-server copy's secret files, as the split blueprint gives them: its CPU, memory and disk tokens, no
        // database password or connections token (no PostgreSQL there).
        var b = Platform.Stacks.Tests.Support.TestStacks.ShippedBlueprint("scale");
        var copy = b.Service("host-metrics@app-2");
        var secretFiles = copy.Files.Where(f => f.Path.StartsWith(HostMetrics.SecretsDir + "/", StringComparison.Ordinal)).Select(f => f.Path).Order(StringComparer.Ordinal);
        Assert.Equal(HostMetrics.HostOnlyMetrics.Select(m => HostMetrics.SecretFile(m.TokenEnv)).Order(StringComparer.Ordinal), secretFiles);
        Assert.DoesNotContain(copy.Env.Values, v => v.IsSecret);
        var pushes = Run(cpuBusyPercent: 10, memoryUsedPercent: 50, diskPercent: "40%", connectionsPercent: null, secretsAsFiles: true,
            skipFiles: ["PUSH_TOKEN_DB_CONNECTIONS", "PGPASSWORD"]);
        Assert.Equal(["token-PUSH_TOKEN_CPU", "token-PUSH_TOKEN_DISK", "token-PUSH_TOKEN_MEMORY"], pushes.Keys.Order(StringComparer.Ordinal));
    }
}
