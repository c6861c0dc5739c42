using System.Security.Cryptography;
using System.Text;

namespace Platform.Stacks.Model;

/// <summary>The one-way functions a <see cref="DerivedSecretPart"/> may use.</summary>
public static class SecretDerivations
{
    public static string Apply(SecretDerivation derivation, string value, string salt) => derivation switch
    {
        SecretDerivation.ScramSha256 => Data.Scram.Verifier(value, salt),
        SecretDerivation.Sha256Hex => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value))),
        SecretDerivation.MysqlNativePassword => "*" + Convert.ToHexString(SHA1.HashData(SHA1.HashData(Encoding.UTF8.GetBytes(value)))),
        SecretDerivation.JsonStringBody => System.Text.Json.JsonSerializer.Serialize(value, RelaxedJson)[1..^1],
        _ => throw new ArgumentOutOfRangeException(nameof(derivation)),
    };

    /// <summary>Escapes only what a JSON string must (quotes, backslashes, control characters): the result is a TOML basic string too.</summary>
    private static readonly System.Text.Json.JsonSerializerOptions RelaxedJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
