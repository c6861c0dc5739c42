using System.Text.RegularExpressions;

namespace Platform.Stacks.Operations;

/// <summary>
/// The recipient forms offen/docker-volume-backup v2.48.2 encrypts to (<c>parseAgeRecipient</c>, adapted from the age
/// CLI): an X25519 key, <c>age1…</c> in Bech32 (BIP 173) with its checksum, and an SSH public key line
/// (<c>ssh-ed25519</c>, <c>ssh-rsa</c>). Checked here so a typo fails the plan, not the first backup.
/// </summary>
public static partial class AgeRecipients
{
    public static bool IsValid(string key) =>
        key.StartsWith("age1", StringComparison.Ordinal) ? IsX25519(key) : SshKey().IsMatch(key);

    /// <summary>A private key (age's <c>AGE-SECRET-KEY-1…</c>): never in a stack file.</summary>
    public static bool IsPrivateKey(string key) => key.StartsWith("AGE-SECRET-KEY-", StringComparison.OrdinalIgnoreCase);

    private const string Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

    /// <summary>age1 + 52 characters of a 32-byte key + 6 of checksum, lower case, with a valid Bech32 checksum.</summary>
    private static bool IsX25519(string key)
    {
        if (key.Length != 62) return false;
        var data = new int[key.Length - 4];
        for (var i = 4; i < key.Length; i++)
            if ((data[i - 4] = Charset.IndexOf(key[i], StringComparison.Ordinal)) < 0) return false;
        // BIP 173: polymod(hrp expanded ++ data) == 1.
        const string hrp = "age";
        var values = new List<int>();
        values.AddRange(hrp.Select(c => c >> 5));
        values.Add(0);
        values.AddRange(hrp.Select(c => c & 31));
        values.AddRange(data);
        return Polymod(values) == 1;
    }

    private static int Polymod(IEnumerable<int> values)
    {
        int[] generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
        var chk = 1;
        foreach (var v in values)
        {
            var top = chk >> 25;
            chk = ((chk & 0x1ffffff) << 5) ^ v;
            for (var i = 0; i < 5; i++)
                if (((top >> i) & 1) != 0) chk ^= generator[i];
        }
        return chk;
    }

    [GeneratedRegex(@"^(ssh-ed25519 AAAAC3NzaC1lZDI1NTE5[0-9A-Za-z+/]+=*|ssh-rsa AAAAB3NzaC1yc2E[0-9A-Za-z+/]+=*)( [^\n]*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex SshKey();
}
