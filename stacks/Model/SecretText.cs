using System.Collections.Immutable;
using System.Text;

namespace Platform.Stacks.Model;

/// <summary>One piece of a <see cref="SecretText"/>.</summary>
public abstract record TextPart;

/// <summary>Plain text, safe to show anywhere.</summary>
public sealed record LiteralPart(string Text) : TextPart;

/// <summary>The value of the secret named <paramref name="Secret"/> (a generated or configured secret of the blueprint).</summary>
public sealed record SecretPart(string Secret) : TextPart;

/// <summary>
/// A value derived from a secret by a one-way function (a SCRAM verifier, a hash) or an encoding. It is still
/// treated as secret: it is computed only where the secret's value is known (the Pulumi shell,
/// inside <c>Apply</c>, or a test), never in the plan.
/// </summary>
public sealed record DerivedSecretPart(string Secret, SecretDerivation Derivation, string Salt) : TextPart;

/// <summary>How a <see cref="DerivedSecretPart"/> is computed from its secret.</summary>
public enum SecretDerivation
{
    /// <summary>PostgreSQL's SCRAM-SHA-256 verifier; <c>Salt</c> is the role name it is bound to.</summary>
    ScramSha256,

    /// <summary>Lower-case hex SHA-256 of the value (Redis ACL <c>#hash</c> passwords).</summary>
    Sha256Hex,

    /// <summary>
    /// MariaDB's <c>mysql_native_password</c> hash, <c>*</c> + upper-case hex SHA-1(SHA-1(value)): what
    /// <c>IDENTIFIED BY PASSWORD '…'</c> takes, so the plaintext never reaches the server. <c>Salt</c> is unused.
    /// </summary>
    MysqlNativePassword,

    /// <summary>
    /// The value escaped for the inside of a JSON string (also a valid TOML basic string): not one-way, an encoding for
    /// embedding a configured secret (a webhook URL, an SMTP password) in a file, so quotes or backslashes in it cannot
    /// break the file. <c>Salt</c> is unused.
    /// </summary>
    JsonStringBody,
}

/// <summary>
/// Text that may contain secrets. The blueprint carries secrets only as references; the
/// plan shows them masked, and the Pulumi shell resolves them inside <c>Output</c>s so they
/// stay secret end to end.
/// </summary>
public sealed record SecretText(ImmutableArray<TextPart> Parts)
{
    public static SecretText Plain(string text) => new([new LiteralPart(text)]);

    public static SecretText Of(params TextPart[] parts) => new(Merge(parts));

    /// <summary>Every secret this text needs to be rendered, sorted, each once.</summary>
    public ImmutableArray<string> Secrets => Parts
        .Select(p => p switch { SecretPart s => s.Secret, DerivedSecretPart d => d.Secret, _ => null })
        .OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToImmutableArray();

    public bool IsSecret => !Secrets.IsEmpty;

    /// <summary>The text with every secret shown as <c>&lt;secret:name&gt;</c>: what the plan prints.</summary>
    public string Masked
    {
        get
        {
            // The plan asks for a text's masked form several times (lines, hashes, diffs): rendered once per parts
            // array, so a copy made with `with { Parts = … }` renders its own.
            if (_masked is { } m && m.For == Parts) return m.Text;
            var text = RenderMasked();
            _masked = (Parts, text);
            return text;
        }
    }

    private (ImmutableArray<TextPart> For, string Text)? _masked;

    private string RenderMasked() => Render(
        name => $"<secret:{name}>",
        (name, derivation, _) => derivation switch
        {
            SecretDerivation.ScramSha256 => $"<scram-sha-256:{name}>",
            SecretDerivation.MysqlNativePassword => $"<mysql-native-password:{name}>",
            SecretDerivation.JsonStringBody => $"<secret:{name}>",
            _ => $"<sha256:{name}>",
        });

    /// <summary>Renders with the secrets' real values, given by <paramref name="valueOf"/>.</summary>
    public string Resolve(Func<string, string> valueOf) => Render(
        valueOf,
        (name, derivation, salt) => SecretDerivations.Apply(derivation, valueOf(name), salt));

    private string Render(Func<string, string> secret, Func<string, SecretDerivation, string, string> derived)
    {
        var sb = new StringBuilder();
        foreach (var part in Parts)
        {
            sb.Append(part switch
            {
                LiteralPart l => l.Text,
                SecretPart s => secret(s.Secret),
                DerivedSecretPart d => derived(d.Secret, d.Derivation, d.Salt),
                _ => throw new InvalidOperationException($"Unknown text part {part.GetType().Name}"),
            });
        }
        return sb.ToString();
    }

    private static ImmutableArray<TextPart> Merge(IEnumerable<TextPart> parts)
    {
        // A run of literals becomes one, joined once: concatenating pairwise would be quadratic in a long script.
        var merged = ImmutableArray.CreateBuilder<TextPart>();
        var run = new StringBuilder();
        foreach (var part in parts)
        {
            if (part is LiteralPart literal)
            {
                run.Append(literal.Text);
                continue;
            }
            if (run.Length > 0) merged.Add(new LiteralPart(run.ToString()));
            run.Clear();
            merged.Add(part);
        }
        if (run.Length > 0) merged.Add(new LiteralPart(run.ToString()));
        return merged.ToImmutable();
    }

    public bool Equals(SecretText? other) => other is not null && Parts.SequenceEqual(other.Parts);

    public override int GetHashCode() => Parts.Aggregate(0, (h, p) => HashCode.Combine(h, p));

    public override string ToString() => Masked;
}

/// <summary>Builds a <see cref="SecretText"/> piece by piece.</summary>
public sealed class SecretTextBuilder
{
    private readonly List<TextPart> _parts = [];

    public SecretTextBuilder Text(string text) { _parts.Add(new LiteralPart(text)); return this; }

    public SecretTextBuilder Line(string text = "") => Text(text + "\n");

    public SecretTextBuilder Secret(string name) { _parts.Add(new SecretPart(name)); return this; }

    /// <summary>Appends another text, its secret references included.</summary>
    public SecretTextBuilder Append(SecretText text) { _parts.AddRange(text.Parts); return this; }

    public SecretTextBuilder Derived(string name, SecretDerivation derivation, string salt)
    {
        _parts.Add(new DerivedSecretPart(name, derivation, salt));
        return this;
    }

    public SecretText Build() => SecretText.Of([.. _parts]);
}
