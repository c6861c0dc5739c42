using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Catalog;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Server;

/// <summary>Reads the server's settings (type, location, image, SSH keys, deploy user), the admin CIDRs and the data volume.</summary>
internal static class ServerSettingsReader
{
    /// <summary>The server of a single-server stack (a split stack's app servers' type replaces its type later).</summary>
    public static ServerSettings Read(StackValues v)
    {
        var r = v.R;
        var keysSet = v.IsSet("sshPublicKeys");
        var type = v.Str("serverType");
        if (!ServerTypes.All.ContainsKey(type))
            r.Error(StackValues.Key("serverType"), $"'{type}' is not a Hetzner Cloud server type this platform knows.",
                $"Use one of: {string.Join(", ", ServerTypes.All.Keys.Order(StringComparer.Ordinal))}.");
        var location = v.Str("serverLocation");
        if (!ServerTypes.Locations.Contains(location))
            r.Error(StackValues.Key("serverLocation"), $"'{location}' is not a Hetzner Cloud location.", $"Use one of: {string.Join(", ", ServerTypes.Locations.Order(StringComparer.Ordinal))}.");
        var image = v.Str("serverImage");
        if (string.IsNullOrWhiteSpace(image))
            r.Error(StackValues.Key("serverImage"), "is empty.", "Use an Ubuntu LTS image name such as ubuntu-24.04.");

        var keys = r.StringList(v.Node("sshPublicKeys"), StackValues.Key("sshPublicKeys"));
        if (keysSet && keys.IsEmpty)
            r.Error(StackValues.Key("sshPublicKeys"), "is empty, so nobody could log in.", "List at least one SSH public key.");
        for (var i = 0; i < keys.Length; i++)
        {
            if (!Names.IsSshPublicKey(keys[i]))
                r.Error($"{StackValues.Key("sshPublicKeys")}[{i}]", "is not an OpenSSH public key line.",
                    "Paste the whole line of your .pub file, e.g. 'ssh-ed25519 AAAAC3… you@example.com' (never a private key).");
        }
        var user = v.Str("deployUser");
        if (!System.Text.RegularExpressions.Regex.IsMatch(user, "^[a-z_][a-z0-9_-]{0,31}$") || user == "root")
            r.Error(StackValues.Key("deployUser"), $"'{user}' is not usable as the deploy user.", "Use a lower-case Unix user name other than root, e.g. deploy.");
        return new ServerSettings(type, location, image, keys, user, v.Int("osReserveMb"));
    }

    /// <summary><c>adminCidrs</c>: the networks SSH is open to; never empty once set, never the whole internet.</summary>
    public static ImmutableArray<string> AdminCidrs(StackValues v)
    {
        var r = v.R;
        var key = StackValues.Key("adminCidrs");
        var node = v.Node("adminCidrs");
        var cidrs = r.StringList(node, key);
        if (node is not null && cidrs.IsEmpty)
            r.Error(key, "is empty, so SSH would be closed to everyone and deployments would fail.", "List your office or VPN CIDRs, e.g. 203.0.113.10/32.");
        return r.Cidrs(cidrs, key, "203.0.113.10/32 or 2001:db8::/48", "opens SSH to the whole internet.", "List only your office or VPN CIDRs.");
    }

    /// <summary><c>dataVolumeGb</c>: Hetzner Volumes are 10 GB at least; 0 means none.</summary>
    public static int DataVolume(StackValues v)
    {
        var gb = v.Int("dataVolumeGb");
        if (gb is > 0 and < 10)
            v.R.Error(StackValues.Key("dataVolumeGb"), $"is {gb.ToString(CultureInfo.InvariantCulture)} GB, but a Hetzner Volume has at least 10 GB.", "Set 0 (data on the server's disk) or a size from 10 to 10000.");
        return gb;
    }
}
