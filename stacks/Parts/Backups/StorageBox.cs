using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using Platform.Stacks.Model;
using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Operations;

/// <summary>
/// A Hetzner Storage Box the backup runner uploads every archive to over SFTP, as well as to the S3 bucket
/// (<c>platform:backupStorageBox</c>). Its private key is the secret <c>backupStorageBoxKey</c>.
/// </summary>
/// <param name="Host">The box's host, e.g. <c>u123456.your-storagebox.de</c>.</param>
/// <param name="Port">Its SSH port: 23 (Hetzner's SFTP/SCP port of a Storage Box; 22 also serves SFTP).</param>
/// <param name="User">The login, e.g. <c>u123456</c> or a sub-account <c>u123456-sub1</c>.</param>
/// <param name="Path">Directory under the login's home the stack's archives go below (<c>&lt;path&gt;/&lt;project&gt;-&lt;stack&gt;/&lt;job&gt;</c>).</param>
/// <param name="HostKey">The box's host key, <c>&lt;type&gt; &lt;base64&gt;</c>, as <c>ssh-keyscan -p 23 &lt;host&gt;</c> prints it after the host.</param>
/// <param name="Product">The Storage Box product, for the cost estimate (<c>bx11</c>: 1 TB).</param>
public sealed record StorageBoxSettings(string Host, int Port, string User, string Path, string HostKey, string Product)
{
    /// <summary>The secret holding the OpenSSH private key the runner logs in with.</summary>
    public const string KeySecret = "backupStorageBoxKey";

    /// <summary>The key's type (first field), e.g. <c>ssh-ed25519</c>.</summary>
    public string HostKeyType => HostKey.Split(' ')[0];

    /// <summary>The key's SHA-256 fingerprint as OpenSSH prints it (<c>SHA256:…</c>, no padding).</summary>
    public string Fingerprint =>
        "SHA256:" + Convert.ToBase64String(SHA256.HashData(Convert.FromBase64String(HostKey.Split(' ')[1]))).TrimEnd('=');
}

/// <summary>Reads, checks and renders the Storage Box target.</summary>
public static class StorageBox
{
    public const string SettingsKey = "platform:backupStorageBox";

    /// <summary>A property, not a field: the schema's rows read <see cref="Products"/>, which this type initialises.</summary>
    public static System.Collections.Immutable.ImmutableArray<string> Keys => StorageBoxSchema.Shape.Keys;

    /// <summary>Hetzner's Storage Box products, EUR per month excl. VAT (Hetzner's price list; overridable as <c>prices.&lt;product&gt;</c>).</summary>
    public static readonly FrozenDictionary<string, (decimal Eur, int Tb)> Products = new Dictionary<string, (decimal, int)>(StringComparer.Ordinal)
    {
        ["bx11"] = (3.81m, 1),
        ["bx21"] = (10.90m, 5),
        ["bx31"] = (20.80m, 10),
        ["bx41"] = (40.60m, 20),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Where the runner finds the private key (<c>SSH_IDENTITY_FILE</c>): a file, never its env.</summary>
    public const string IdentityFile = Backups.SecretsDirectory + "/ssh-identity";

    /// <summary>
    /// The settings; null when unset or unusable (every problem reported under its key with the fix). The key secret is
    /// required with it and refused without it.
    /// </summary>
    internal static StorageBoxSettings? Read(NodeReader r, YamlNode? node, ISet<string> secretsSet, bool backupsEnabled, string stack)
    {
        if (node is null)
        {
            if (secretsSet.Contains(StorageBoxSettings.KeySecret))
                r.Error($"platform:{StorageBoxSettings.KeySecret}", "is set but platform:backupStorageBox is not, so nothing uses it.",
                    $"Add platform:backupStorageBox, or remove the key: pulumi config rm {StorageBoxSettings.KeySecret} --stack {stack}");
            return null;
        }
        var errors = r.Errors.Count;
        var map = r.Mapping(node, SettingsKey, Keys);
        string Str(string name, string fallback) => map.TryGetValue(name, out var n) ? r.String(n, $"{SettingsKey}.{name}").Trim() : fallback;
        var host = Str("host", "").ToLowerInvariant();
        if (!map.ContainsKey("host"))
            r.Error($"{SettingsKey}.host", "is required.", "Give the Storage Box's host from Hetzner's console, e.g. host: u123456.your-storagebox.de.");
        else if (!Names.IsDomain(host))
            r.Error($"{SettingsKey}.host", $"'{SettingsError.Printable(host, 60)}' is not a host name.", "Give the Storage Box's host, e.g. u123456.your-storagebox.de.");
        var port = map.TryGetValue("port", out var portNode) ? r.Int(portNode, $"{SettingsKey}.port", 23, 1, 65535) : 23;
        var user = Str("user", host.Split('.')[0]);
        if (host.Length > 0 && !System.Text.RegularExpressions.Regex.IsMatch(user, "^[a-z][a-z0-9-]{0,31}$"))
            r.Error($"{SettingsKey}.user", $"'{SettingsError.Printable(user, 40)}' is not a Storage Box login.", "Give the login from Hetzner's console, e.g. u123456 or u123456-sub1.");
        var path = Str("path", "backups").Trim('/');
        if (!System.Text.RegularExpressions.Regex.IsMatch(path, "^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$") || path.Split('/').Any(p => p is "." or ".."))
            r.Error($"{SettingsKey}.path", $"'{SettingsError.Printable(path, 60)}' is not a directory under the login's home.", "Give a relative path of plain names, e.g. path: backups.");
        var hostKey = Str("hostKey", "");
        if (!map.ContainsKey("hostKey"))
            r.Error($"{SettingsKey}.hostKey", "is required: without a pinned host key, whoever answers on the way to the box would receive the archives.",
                $"Pin the box's key: run `ssh-keyscan -p {port.ToString(CultureInfo.InvariantCulture)} -t ed25519 {(host.Length > 0 ? host : "<host>")}` from a trusted network, compare its fingerprint (ssh-keygen -lf) with Hetzner's console, and set hostKey: \"ssh-ed25519 AAAA…\".");
        else if (HostKeyProblem(hostKey) is { } problem)
            r.Error($"{SettingsKey}.hostKey", problem, "Give the key as ssh-keyscan prints it after the host: \"ssh-ed25519 AAAA…\" (type and base64, no host, no comment).");
        var product = Str("product", "bx11").ToLowerInvariant();
        if (!Products.ContainsKey(product))
            r.Error($"{SettingsKey}.product", $"'{SettingsError.Printable(product, 20)}' is not a Storage Box product.", $"Use one of: {string.Join(", ", Products.Keys.Order(StringComparer.Ordinal))}.");
        if (!backupsEnabled)
            r.Error(SettingsKey, "is set but backupsEnabled is false, so nothing is uploaded to it.", "Turn backups on, or remove backupStorageBox.");
        if (!secretsSet.Contains(StorageBoxSettings.KeySecret))
            r.Error($"platform:{StorageBoxSettings.KeySecret}", "is required with backupStorageBox: the runner logs in with a key (a password would go to whoever answers, as the runner does not check the host key itself).",
                $"Make a key (ssh-keygen -t ed25519 -N '' -f storagebox), add storagebox.pub to the box's .ssh/authorized_keys, then: pulumi config set --secret {StorageBoxSettings.KeySecret} < storagebox --stack {stack}");
        return r.Errors.Count == errors ? new StorageBoxSettings(host, port, user, path, hostKey, product) : null;
    }

    /// <summary>Why <paramref name="key"/> is not one pinnable host key, or null.</summary>
    public static string? HostKeyProblem(string key)
    {
        var parts = key.Split(' ');
        if (parts.Length != 2 || parts[0] is not ("ssh-ed25519" or "ecdsa-sha2-nistp256" or "ssh-rsa"))
            return $"'{SettingsError.Printable(key, 40)}' is not '<type> <base64>' with type ssh-ed25519, ecdsa-sha2-nistp256 or ssh-rsa.";
        try
        {
            var blob = Convert.FromBase64String(parts[1]);
            // The blob starts with the key type as an SSH string (4-byte length, then the name).
            var length = blob.Length >= 4 ? (blob[0] << 24) | (blob[1] << 16) | (blob[2] << 8) | blob[3] : -1;
            if (length <= 0 || 4 + length > blob.Length || System.Text.Encoding.ASCII.GetString(blob, 4, length) != parts[0])
                return $"is not a {parts[0]} key: its base64 holds another type or no key.";
        }
        catch (FormatException)
        {
            return "holds no valid base64 after its type.";
        }
        return null;
    }

    /// <summary>The runner's env for the box (<c>SSH_*</c> of offen/docker-volume-backup v2.48.2, <c>cmd/backup/config.go</c>); the remote path is per job.</summary>
    public static IEnumerable<EnvVar> RunnerEnv(StorageBoxSettings box) =>
    [
        EnvVar.Plain("SSH_HOST_NAME", box.Host),
        EnvVar.Plain("SSH_PORT", box.Port.ToString(CultureInfo.InvariantCulture)),
        EnvVar.Plain("SSH_USER", box.User),
        EnvVar.Plain("SSH_IDENTITY_FILE", IdentityFile),
    ];

    /// <summary>The private key as a file in the runner (it reads <c>SSH_IDENTITY_FILE</c> as a key file, <c>internal/storage/ssh/ssh.go</c>).</summary>
    public static UploadedFile IdentityUpload => new(IdentityFile, SecretText.Of(new SecretPart(StorageBoxSettings.KeySecret)));

    /// <summary>The job's directory on the box, relative to the login's home.</summary>
    public static string RemotePath(StorageBoxSettings box, string pathPrefix, string job) =>
        string.IsNullOrEmpty(pathPrefix) ? $"{box.Path}/{job}" : $"{box.Path}/{pathPrefix}/{job}";

    /// <summary>
    /// A shell test, run by the job's timer on the host before each upload, that the box presents the pinned key. The
    /// runner itself accepts any host key (offen/docker-volume-backup v2.48.2 <c>internal/storage/ssh/ssh.go</c>:
    /// <c>HostKeyCallback: ssh.InsecureIgnoreHostKey()</c>), so this check is what pins it: ssh-keyscan completes a key
    /// exchange, which only the holder of the pinned key's private half can sign. It fails when the box is unreachable.
    /// </summary>
    public static string HostKeyCheck(StorageBoxSettings box) =>
        $"ssh-keyscan -T 15 -p {box.Port.ToString(CultureInfo.InvariantCulture)} -t {box.HostKeyType} {Backups.ShellQuote(box.Host)} 2>/dev/null"
        + $" | awk '{{print $2\" \"$3}}' | grep -qxF {Backups.ShellQuote(box.HostKey)}";

    /// <summary>The cost line of the box: its product's monthly price (flat, whatever it holds).</summary>
    public static Blueprint.CostLine CostLine(StorageBoxSettings box, Func<string, decimal, decimal> price) =>
        new($"Hetzner Storage Box {box.Product.ToUpperInvariant()} ({Products[box.Product].Tb.ToString(CultureInfo.InvariantCulture)} TB; every backup archive a second time, over SFTP; platform:backupStorageBox)",
            1, "month", price(box.Product, Products[box.Product].Eur));

    /// <summary>The plan's line: where archives go, the pinned key, and what does not go there.</summary>
    public static string Describe(StorageBoxSettings box, bool pitr) =>
        $"backup target Storage Box sftp://{box.User}@{box.Host}:{box.Port.ToString(CultureInfo.InvariantCulture)}/{box.Path}/ ({box.Product}): every job's archive, as well as the S3 bucket;"
        + $" host key {box.HostKeyType} {box.Fingerprint} checked by each job's timer before the upload (a different key: S3 only, and the job reports down);"
        + $" key auth with the secret {StorageBoxSettings.KeySecret}"
        + (pitr ? "; pgBackRest's WAL and base backups (point-in-time recovery) stay on S3 only" : "");
}
