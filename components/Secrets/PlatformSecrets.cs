using System.Collections.Immutable;
using System.Text.Json;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;
using Pulumi;
using Pulumi.Random;
using Cloudflare = Pulumi.Cloudflare;
using Tls = Pulumi.Tls;

namespace Platform.Components.Secrets;

/// <summary>Arguments of <see cref="PlatformSecrets"/>.</summary>
public sealed class PlatformSecretsArgs
{
    /// <summary>Every secret of the blueprint: generated ones become a random password, config ones are read from the stack's encrypted config.</summary>
    public required ImmutableArray<SecretSpec> Secrets { get; init; }

    /// <summary>
    /// The hostnames and validity of the Cloudflare Origin CA certificate, required when a secret's source is
    /// <see cref="SecretSource.OriginCertificate"/>. Default: none.
    /// </summary>
    public OriginCertificateSpec? OriginCertificate { get; init; }
}

/// <summary>
/// The blueprint's secrets as Pulumi secrets: a <c>RandomPassword</c> per generated secret, a TLS
/// private key per generated key, the Cloudflare Origin CA certificate issued for such a key, and the
/// stack's encrypted config for the rest. <see cref="Render"/> turns a <see cref="SecretText"/> into an
/// output that stays secret whenever the text uses a secret.
/// </summary>
public sealed class PlatformSecrets : ComponentResource
{
    private readonly ImmutableDictionary<string, Output<string>> _values;

    public PlatformSecrets(string name, PlatformSecretsArgs args, ComponentResourceOptions? opts = null)
        : base("platform:secrets:Secrets", name, opts)
    {
        var values = ImmutableDictionary.CreateBuilder<string, Output<string>>(StringComparer.Ordinal);
        var configs = new Dictionary<string, Config>(StringComparer.Ordinal);
        var objects = new Dictionary<string, Output<JsonElement>>(StringComparer.Ordinal);
        var keys = new Dictionary<string, Tls.PrivateKey>(StringComparer.Ordinal);

        // Certificates last: each is requested for a key made in the first pass.
        foreach (var secret in args.Secrets.OrderBy(s => s.Source == SecretSource.OriginCertificate))
        {
            values[secret.Name] = secret.Source switch
            {
                // The provider marks `result` secret; wrapping it again keeps it secret wherever the
                // engine does not (mocks, or a provider that forgets).
                SecretSource.Generated => Output.CreateSecret(new RandomPassword($"{name}-{secret.Name}", new RandomPasswordArgs
                {
                    Length = secret.Length,
                    Special = false,
                    Upper = true,
                    Lower = true,
                    Numeric = true,
                }, Aliased(new CustomResourceOptions { Parent = this }, name, secret)).Result),
                SecretSource.Config => FromConfig(secret, configs, objects),
                SecretSource.PrivateKey => Output.CreateSecret((keys[secret.Name] = new Tls.PrivateKey($"{name}-{secret.Name}", new Tls.PrivateKeyArgs
                {
                    Algorithm = ShellDecisions.PrivateKeyAlgorithm,
                    EcdsaCurve = ShellDecisions.PrivateKeyCurve,
                }, new CustomResourceOptions { Parent = this })).PrivateKeyPem),
                SecretSource.OriginCertificate => OriginCertificate(name, secret, args.OriginCertificate, keys),
                _ => throw new InvalidOperationException($"Secret {secret.Name} has an unknown source {secret.Source}."),
            };
        }
        _values = values.ToImmutable();
        RegisterOutputs();
    }

    /// <summary>
    /// The Origin CA certificate for the spec's key: a CSR for its hostnames (the first is the subject's common name),
    /// signed by Cloudflare. Cloudflare's proxy trusts it; browsers never see it.
    /// </summary>
    private Output<string> OriginCertificate(string name, SecretSpec secret, OriginCertificateSpec? spec, Dictionary<string, Tls.PrivateKey> keys)
    {
        if (spec is null || spec.CertificateSecret != secret.Name)
            throw new InvalidOperationException($"Secret {secret.Name} is an Origin CA certificate, but the blueprint's OriginCertificate does not describe it.");
        if (!keys.TryGetValue(spec.KeySecret, out var key))
            throw new InvalidOperationException($"The Origin CA certificate {secret.Name} is for the key {spec.KeySecret}, which the blueprint does not declare as a generated private key.");
        var request = new Tls.CertRequest($"{name}-{secret.Name}-csr", new Tls.CertRequestArgs
        {
            PrivateKeyPem = key.PrivateKeyPem,
            DnsNames = spec.Hostnames.ToList(),
            Subject = new Tls.Inputs.CertRequestSubjectArgs { CommonName = spec.Hostnames[0] },
        }, new CustomResourceOptions { Parent = this });
        var certificate = new Cloudflare.OriginCaCertificate($"{name}-{secret.Name}", new Cloudflare.OriginCaCertificateArgs
        {
            Csr = request.CertRequestPem,
            Hostnames = spec.Hostnames.ToList(),
            RequestType = ShellDecisions.OriginCertificateRequestType,
            RequestedValidity = spec.ValidityDays,
        }, new CustomResourceOptions { Parent = this });
        return Output.CreateSecret(certificate.Certificate);
    }

    /// <summary>A secret renamed into its namespace keeps its value: its password resource aliases the former name.</summary>
    private static CustomResourceOptions Aliased(CustomResourceOptions options, string name, SecretSpec secret)
    {
        if (secret.FormerName is { } former) options.Aliases.Add(new Alias { Name = $"{name}-{former}" });
        return options;
    }

    /// <summary>The secret's value (always a secret output).</summary>
    public Output<string> Value(string secret) =>
        _values.TryGetValue(secret, out var value)
            ? value
            : throw new InvalidOperationException($"The blueprint uses the secret '{secret}' but does not declare it in Secrets.");

    /// <summary>
    /// The text with its secrets filled in: a plain output when it uses none, a secret output otherwise
    /// (including derived values such as SCRAM verifiers, which are computed here and nowhere else).
    /// </summary>
    public Output<string> Render(SecretText text)
    {
        if (!text.IsSecret) return Output.Create(text.Resolve(_ => throw new InvalidOperationException("plain text has no secrets")));
        var names = text.Secrets;
        var inputs = names.Select(n => (Input<string>)Value(n)).ToArray();
        return Output.CreateSecret(Output.All(inputs).Apply(resolved =>
        {
            var byName = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < names.Length; i++) byName[names[i]] = resolved[i];
            return text.Resolve(n => byName[n]);
        }));
    }

    private static Output<string> FromConfig(SecretSpec secret, Dictionary<string, Config> configs, Dictionary<string, Output<JsonElement>> objects)
    {
        // Keys look like "platform:cloudflareApiToken" or "platform:appSecrets.api.STRIPE_API_KEY"
        // (a path into an object set with `pulumi config set --secret --path`).
        var key = secret.ConfigKey ?? throw new InvalidOperationException($"Config secret {secret.Name} has no config key.");
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0) throw new InvalidOperationException($"Config key '{key}' of secret {secret.Name} is not namespaced.");
        var ns = key[..colon];
        var path = key[(colon + 1)..].Split('.');
        if (!configs.TryGetValue(ns, out var config)) configs[ns] = config = new Config(ns);
        if (path.Length == 1) return config.RequireSecret(path[0]);

        var objectKey = $"{ns}:{path[0]}";
        if (!objects.TryGetValue(objectKey, out var root)) objects[objectKey] = root = config.RequireSecretObject<JsonElement>(path[0]);
        return Output.CreateSecret(root.Apply(element =>
        {
            foreach (var segment in path.Skip(1))
            {
                if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(segment, out element))
                    throw new InvalidOperationException($"The stack's config has no value at {key}. Set it: pulumi config set --secret --path '{string.Join('.', path)}' <value>");
            }
            return element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
        }));
    }
}
