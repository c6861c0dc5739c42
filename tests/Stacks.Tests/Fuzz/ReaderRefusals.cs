using System.Text.RegularExpressions;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Tests.Fuzz;

/// <summary>
/// Sorts the reader's errors into those a JSON Schema of one stack file can express (a key's type, its values, its
/// range, a required or unknown key) and the rest. The rest is named here, each with the reason a schema cannot say
/// it, so nothing is excluded silently.
/// </summary>
public static partial class ReaderRefusals
{
    /// <summary>Problems that are about one key alone: the schema must refuse every stack that has one.</summary>
    [GeneratedRegex(@"^(is not a known setting\.|is required\.|is required but not set\.|is missing\.|must be (a whole number|true or false|a number|a string|a list|a mapping)\b.*|is -?\d+, out of range\.|is -?[\d.]+, out of range\.|is set in plain text, so the secret is in the repository\.|is stored as a secret but is not a secret setting\.|is required and must not be empty\.|'[^']*' is not (a Redis eviction policy|a Hetzner Cloud server type this platform knows|a Hetzner Cloud location|a channel kind|a Storage Box product|starttls or tls|an HTTP method CORS allows here)\.|is '[^']*'\.|is -?\d+\.|-?\d+ is not (a number of days|an interval) between .*|-?\d+ MB is too little\.)$")]
    private static partial Regex OneKeyProblem();

    /// <summary>
    /// One-key problems the schema does not state, and why. Everything else the reader refuses relates keys or
    /// settings to each other (a port with routes, a schedule's gaps, names used twice, a memory budget, secrets that
    /// settings require), which no schema of one file expresses; those messages do not match <see cref="OneKeyProblem"/>.
    /// </summary>
    public static readonly (Regex Key, Regex Problem, string Why)[] NotExpressed =
    [
        (new(@"\.cpus$"), new(@"out of range"), "an app's CPU limit is bounded by its server type's vCPUs (serverType or servers.app.type); the schema bounds it by the largest type's"),
        (new(@"^platform:dnsRecords\[\d+\]\.tag$"), new(@"^is '"), "a CAA record's tag is read in any case; the schema leaves it free text"),
        (new(@"\.(statementTimeoutMs|idleInTransactionSessionTimeoutMs)$"), new(@"^is [1-9]\d*\.$"), "0 (none) or from 100 (1000 when idle in a transaction): the schema states 0 to the maximum, not the gap above 0"),
        (new(@"^platform:dnsRecords\[\d+\]\.(ttl|flags)$"), new(@"^is \d+\.$"), "a TTL of 1 or 60 and more, CAA flags 0 or 128: the schema states the whole range"),
    ];

    public static bool SchemaCanExpress(SettingsError e)
    {
        if (!OneKeyProblem().IsMatch(e.Problem)) return false;
        return !NotExpressed.Any(x => x.Key.IsMatch(e.Key) && x.Problem.IsMatch(e.Problem));
    }
}
