using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Blueprint;

/// <summary>
/// Whether an app's containers may open connections to the internet (<c>egress: true</c>); by default they may not. What
/// they always reach: Traefik, the apps they talk to, and the data services they use. How it is kept:
/// <list type="bullet">
/// <item>on one server the app's own network is an internal Docker network (no route out: the engine forwards nothing,
/// tested on the real engine);</item>
/// <item>on a split stack the app servers' containers reach the data server's private address through their bridge's
/// gateway, which an internal network does not have, so the app's network keeps one but gets a fixed bridge name
/// (<see cref="BridgeName"/>), and the app server's host packet filter (<see cref="HostFirewall"/>) lets packets from
/// that bridge go to the private network and back onto the bridge, and refuses everything else (the internet, the
/// cloud's metadata service).</item>
/// </list>
/// </summary>
public static class AppEgress
{
    public static readonly string[] Keys = ["egress"];

    /// <summary>Docker's bridge driver option that names the Linux bridge (15 characters at most).</summary>
    public const string BridgeNameOption = "com.docker.network.bridge.name";

    /// <summary><paramref name="app"/> with its <c>egress</c> setting (default false).</summary>
    internal static AppSettings Read(NodeReader r, IReadOnlyDictionary<string, YamlNode> m, string appKey, AppSettings app) =>
        app with { Egress = m.TryGetValue("egress", out var node) && r.Bool(node, $"{appKey}.egress", false) };

    /// <summary>
    /// The Linux bridge of an app's network on a split stack's app server: <c>br-app</c> and 9 base-32 characters of a hash
    /// of the network's name (15 in all, the kernel's limit). It starts with <c>br-</c>, like the bridges Docker names
    /// itself, so the host rules for every Docker bridge (<c>br-+</c>) cover it; its <c>p</c> is not a hexadecimal digit,
    /// so it never equals one of Docker's own (<c>br-</c> and 12 hexadecimal digits of a network id).
    /// </summary>
    public static string BridgeName(string app)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(AppNames.Network(app)));
        var bits = 0UL;
        for (var i = 0; i < 8; i++) bits = (bits << 8) | hash[i];
        var sb = new StringBuilder("br-app", 15);
        for (var i = 0; i < 9; i++) sb.Append(alphabet[(int)((bits >> (64 - 5 * (i + 1))) & 31)]);
        return sb.ToString();
    }

    /// <summary>The bridge options of an app's network on an app server when the app has no egress.</summary>
    public static ImmutableSortedDictionary<string, string> BridgeOptions(string app) =>
        ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create(BridgeNameOption, BridgeName(app))]);
}
