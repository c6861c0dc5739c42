using Platform.Stacks.Blueprint;

namespace Platform.Stacks.Parts.Edge;

/// <summary>
/// The websecure entry point's timeouts, chosen rather than inherited. Traefik v3's readTimeout (default 60 s) bounds
/// reading a whole request, body included, so a 100 MB upload over a slow uplink fails at 60 s. writeTimeout bounds
/// writing the whole response (default 0, none) and idleTimeout a kept-alive connection between requests (default 180 s).
/// </summary>
public static class EntryPointTimeouts
{
    /// <summary>
    /// 600 s reads 100 MB at about 1.4 Mbit/s, a slow mobile uplink. It is also the most a slow client can hold a
    /// connection while sending one request: v3.3 has no separate header timeout, so this bounds slow-loris clients too.
    /// </summary>
    public const int ReadSeconds = 600;

    /// <summary>
    /// None: a response may stream as long as the client reads it (downloads, server-sent events). A client that stops
    /// reading is still dropped by the kernel's TCP retransmission limits, and Cloudflare cuts proxied ones.
    /// </summary>
    public const int WriteSeconds = 0;

    /// <summary>Keep-alive connections idle longer than this are closed (Traefik's default, stated on purpose).</summary>
    public const int IdleSeconds = 180;

    public static readonly System.Collections.Immutable.ImmutableArray<string> Flags =
    [
        $"--entrypoints.{Routing.EntryPoint}.transport.respondingtimeouts.readtimeout={ReadSeconds}s",
        $"--entrypoints.{Routing.EntryPoint}.transport.respondingtimeouts.writetimeout={WriteSeconds}s",
        $"--entrypoints.{Routing.EntryPoint}.transport.respondingtimeouts.idletimeout={IdleSeconds}s",
    ];

    /// <summary>For the plan.</summary>
    public static string Summary =>
        $"entry point {Routing.EntryPoint}: readTimeout {ReadSeconds}s (a whole request, body included: uploads), writeTimeout none (streaming responses), " +
        $"idleTimeout {IdleSeconds}s (kept-alive connections); websocket connections, once upgraded, are not cut by these and live until the client or the app closes them";
}
