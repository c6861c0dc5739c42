using Platform.Stacks.Blueprint;
using Platform.Stacks.Operations;
using Platform.Stacks.Parts.Backups;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Integration;

namespace Platform.Stacks.Tests.Operations;

/// <summary>
/// The app-volume restore script, run by sh against a stand-in for the docker CLI that keeps volumes as
/// directories and runs the script's own in-container command on them: the volume ends up holding exactly
/// the archive's files, and the containers using it are stopped before and started after.
/// </summary>
public sealed class VolumeRestoreDrillTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("volume-drill-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static BackupsInput Input()
    {
        var settings = SettingsReader.Read(StackFiles.Parse("platform", "tenants", StackGenerator.TenantStores(2)));
        return BackupsBlueprint.BackupsInput(settings)!;
    }

    /// <summary>docker ps/stop/start are logged; docker run maps -v volume:/target and -v dir:/restore onto directories and runs sh -c.</summary>
    private const string FakeDocker = """
        #!/bin/sh
        echo "$*" >> "$DRILL/docker.log"
        case "$1" in
          ps) echo c1 ;;
          stop|start) ;;
          run)
            shift; target=""; restore=""
            while [ $# -gt 0 ]; do
              case "$1" in
                --rm) shift ;;
                -v) case "$2" in
                      *:/target) target="$DRILL/volumes/${2%:/target}" ;;
                      *:/restore:ro) restore="${2%:/restore:ro}" ;;
                    esac; shift 2 ;;
                sh) cmd="$3"; break ;;
                *) shift ;;
              esac
            done
            mkdir -p "$target"
            cmd=$(printf '%s' "$cmd" | sed "s#/target#$target#g; s#/restore#$restore#g")
            sh -c "$cmd" ;;
        esac
        """;

    private async Task<string> FakeDockerOnPath()
    {
        var bin = Directory.CreateDirectory(Path.Combine(_root, "bin")).FullName;
        File.WriteAllText(Path.Combine(bin, "docker"), FakeDocker.Replace("\r", "", StringComparison.Ordinal) + "\n");
        Assert.True((await Proc.RunAsync("chmod", ["+x", Path.Combine(bin, "docker")])).Ok);
        return bin;
    }

    [Fact]
    public async Task The_volume_holds_exactly_the_archived_files_and_its_containers_are_stopped_around_the_restore()
    {
        var bin = await FakeDockerOnPath();
        const string volume = "app-shop-01.wp-content";
        // What is in the volume now (to be replaced), and what the archive holds.
        var live = Directory.CreateDirectory(Path.Combine(_root, "volumes", volume, "uploads")).FullName;
        File.WriteAllText(Path.Combine(live, "stale.jpg"), "stale");
        var archived = Directory.CreateDirectory(Path.Combine(_root, "archive", volume, "uploads", "2026")).FullName;
        File.WriteAllText(Path.Combine(archived, "photo.jpg"), "photo bytes");
        File.WriteAllText(Path.Combine(_root, "archive", volume, ".htaccess"), "deny");
        File.WriteAllText(Path.Combine(_root, "restore.sh"), Backups.VolumeRestoreScript(Input(), volume));

        var result = await Proc.RunAsync("sh", [Path.Combine(_root, "restore.sh"), Path.Combine(_root, "archive")],
            env: new Dictionary<string, string> { ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}", ["DRILL"] = _root });

        Assert.True(result.ExitCode == 0, result.Stderr + result.Stdout);
        var files = Directory.GetFiles(Path.Combine(_root, "volumes", volume), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Path.Combine(_root, "volumes", volume), f)).Order(StringComparer.Ordinal);
        Assert.Equal([".htaccess", Path.Combine("uploads", "2026", "photo.jpg")], files);
        Assert.Equal("photo bytes", File.ReadAllText(Path.Combine(_root, "volumes", volume, "uploads", "2026", "photo.jpg")));
        var log = File.ReadAllLines(Path.Combine(_root, "docker.log"));
        Assert.Equal(["ps", "stop", "run", "start"], log.Select(l => l.Split(' ')[0]));
        Assert.Contains($"--filter volume={volume}", log[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_folder_in_the_archive_stops_before_anything_is_touched()
    {
        Directory.CreateDirectory(Path.Combine(_root, "archive"));
        var bin = await FakeDockerOnPath();
        File.WriteAllText(Path.Combine(_root, "restore.sh"), Backups.VolumeRestoreScript(Input(), "app-shop-01.wp-content"));
        var result = await Proc.RunAsync("sh", [Path.Combine(_root, "restore.sh"), Path.Combine(_root, "archive")],
            env: new Dictionary<string, string> { ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}", ["DRILL"] = _root });
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("has no app-shop-01.wp-content folder", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_root, "docker.log")));
    }
}
