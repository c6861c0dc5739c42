using System.Collections.Immutable;
using Platform.Stacks.Model;
using Platform.Stacks.Parts;
using static Platform.Stacks.Blueprint.BuildKit;

namespace Platform.Stacks.Blueprint;

/// <summary>
/// Cloudflare's authenticated origin pulls (zone level): Cloudflare presents a client certificate signed by its origin-pull
/// CA on every connection to the origin, and Traefik refuses TLS from any client without one. "Cloudflare-only" ingress
/// alone admits any Cloudflare customer's proxy (anyone can point a zone at the server); with origin pulls only a zone
/// with the setting on gets through, and the stack turns it on for its own zone.
/// <para>
/// The CA is Cloudflare's public certificate <c>origin-pull.cloudflare.net</c> (valid 2019-10-10 to 2029-11-01, SHA-256
/// fingerprint 9A:1A:C2:B4:BE:15:F9:F2:7E:EE:20:A7:34:CB:A4:E9:89:8F:61:00:1B:3B:D7:C8:4B:69:B5:6A:3E:25:A2:B9), shipped as
/// <c>stacks/Catalog/cloudflare-origin-pull-ca.pem</c> from
/// https://developers.cloudflare.com/ssl/static/authenticated_origin_pull_ca.pem (linked from "Zone-level authenticated
/// origin pulls", developers.cloudflare.com/ssl/origin-configuration/authenticated-origin-pull/set-up/zone-level/).
/// </para>
/// <para>
/// Traefik: TLS options named <c>default</c> apply to every router without its own (pkg/tls/tlsmanager.go), and
/// <c>clientAuth.caFiles</c> takes a path or the PEM itself (pkg/tls/tls.go, <c>CAFiles []types.FileOrContent</c>), so the
/// options are one dynamic file with the CA inline. <c>RequireAndVerifyClientCert</c> is Go's
/// <c>tls.RequireAndVerifyClientCert</c>: the handshake fails without a certificate that chains to the CA.
/// </para>
/// </summary>
public static class OriginPulls
{
    /// <summary>The dynamic file in Traefik's watched directory.</summary>
    public const string FileName = "origin-pulls.yml";

    public const string ClientAuthType = "RequireAndVerifyClientCert";

    /// <summary>Cloudflare's origin-pull CA (PEM), from the embedded file.</summary>
    public static string CaPem { get; } = ReadCa();

    private static string ReadCa()
    {
        using var stream = typeof(OriginPulls).Assembly.GetManifestResourceStream("cloudflare-origin-pull-ca.pem")
            ?? throw new InvalidOperationException("The embedded cloudflare-origin-pull-ca.pem is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    /// <summary>Traefik's dynamic configuration: the default TLS options require Cloudflare's client certificate.</summary>
    public static string DynamicYaml()
    {
        var doc = new Dictionary<string, object>
        {
            ["tls"] = new Dictionary<string, object>
            {
                ["options"] = new Dictionary<string, object>
                {
                    ["default"] = new Dictionary<string, object>
                    {
                        ["clientAuth"] = new Dictionary<string, object>
                        {
                            ["caFiles"] = new[] { CaPem },
                            ["clientAuthType"] = ClientAuthType,
                        },
                    },
                },
            },
        };
        return new YamlDotNet.Serialization.SerializerBuilder().Build().Serialize(doc);
    }
}
