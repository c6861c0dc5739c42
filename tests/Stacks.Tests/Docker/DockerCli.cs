using Platform.Stacks.Tests.Integration;

namespace Platform.Stacks.Tests.Docker;

/// <summary>Debian's Docker client against the test engine (<c>DOCKER_HOST</c>).</summary>
public static class DockerCli
{
    /// <summary>The environment the client runs in: the test engine, and a fixed PATH.</summary>
    public static Dictionary<string, string> Environment() =>
        new() { ["DOCKER_HOST"] = DockerEngine.Host ?? "", ["PATH"] = "/usr/bin:/bin:/usr/sbin:/sbin" };

    public static Task<ProcResult> RunAsync(IDictionary<string, string> env, params string[] args) =>
        Proc.RunCheckedAsync("/usr/bin/docker", args, env: env, timeout: TimeSpan.FromMinutes(2));

    /// <summary>A tiny image of its own (one file holding <paramref name="tag"/>, so a distinct id), made by import: nothing is pulled.</summary>
    public static async Task<string> ImportAsync(IDictionary<string, string> env, string tag)
    {
        var dir = Directory.CreateTempSubdirectory("import");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "release"), tag);
            var tar = Path.Combine(dir.FullName, "..", $"{dir.Name}.tar");
            await Proc.RunCheckedAsync("tar", ["-C", dir.FullName, "-cf", tar, "."]);
            try
            {
                return (await RunAsync(env, "import", "-c", "CMD [\"/release\"]", tar, tag)).Stdout.Trim();
            }
            finally
            {
                File.Delete(tar);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
