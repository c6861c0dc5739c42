using Platform.Stacks.Model;

namespace Platform.Stacks.Blueprint;

/// <summary>
/// The Docker provider waits for an attached one-shot container to exit but ignores its exit code: each one-shot gets a
/// host command that checks it, and what must wait for the one-shot waits for that check.
/// </summary>
public static class OneShotChecks
{
    /// <summary>The check of the one-shot <paramref name="service"/>.</summary>
    public static string Name(string service) => $"{service}-check";

    /// <summary>
    /// The Docker provider waits for an attached one-shot to exit but ignores its exit code: this command
    /// fails the deployment (with the container's last log lines) unless the one-shot exited 0.
    /// </summary>
    public static HostCommandSpec For(ServiceSpec oneShot)
    {
        var name = oneShot.ContainerName ?? throw new InvalidOperationException($"One-shot {oneShot.Name} needs a fixed container name for its check.");
        return new HostCommandSpec(Name(oneShot.Name),
            $"fails the deployment unless the one-shot {oneShot.Name} exited 0",
            $"code=$(docker inspect -f '{{{{.State.ExitCode}}}}' {name}) && [ \"$code\" = 0 ] || {{ echo \"{name} exited with code ${{code:-unknown}}; its last log lines:\" >&2; docker logs --tail 50 {name} >&2; exit 1; }}",
            null, [oneShot.Name]) { Part = oneShot.Part };
    }
}
