using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Pulumi.Testing;

namespace Platform.Infra.Tests.Support;

/// <summary>One registration the mocks saw, with when it started and finished (for ordering assertions), and the id the mocks gave it.</summary>
public sealed record Registration(string Type, string Name, ImmutableDictionary<string, object> Inputs, long Started, long Finished)
{
    public string Id { get; init; } = "";
}

/// <summary>
/// Records every resource (type, name, inputs), echoes inputs as outputs and adds what the
/// providers would compute: ids, server addresses (unknown in preview), image ids, passwords and
/// the Cloudflare zone. Remote commands take a little time, so a resource that does not wait for
/// one visibly starts before it ends.
/// </summary>
public sealed class RecordingMocks(bool preview) : IMocks
{
    public const string Ipv4 = "203.0.113.10";
    public const string Ipv6 = "2001:db8::1";
    public static readonly TimeSpan CommandDelay = TimeSpan.FromMilliseconds(40);
    public const string HostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMockHostKeyOfTheTestServerAAAAAAAAAAAAAAAA";

    /// <summary>The load balancer's public addresses.</summary>
    public const string LoadBalancerIpv4 = "203.0.113.100";
    public const string LoadBalancerIpv6 = "2001:db8::100";

    /// <summary>What the TLS and Cloudflare providers would compute: a key, a CSR and the signed certificate (placeholders).</summary>
    public const string PrivateKeyPem = "-----BEGIN EC PRIVATE KEY-----\nmock-key\n-----END EC PRIVATE KEY-----\n";
    public const string CertRequestPem = "-----BEGIN CERTIFICATE REQUEST-----\nmock-csr\n-----END CERTIFICATE REQUEST-----\n";
    public const string CertificatePem = "-----BEGIN CERTIFICATE-----\nmock-origin-certificate\n-----END CERTIFICATE-----\n";

    /// <summary>
    /// A server's public addresses by its resource name: the single server (<c>server-server</c>) has <see cref="Ipv4"/> and
    /// <see cref="Ipv6"/>; a split stack's servers each their own (data <c>.20</c>, cache <c>.18</c>, files <c>.19</c>, app server n <c>.20+n</c>).
    /// </summary>
    public static (string Ipv4, string Ipv6) AddressesOf(string serverResourceName)
    {
        if (serverResourceName == "server-server") return (Ipv4, Ipv6);
        var id = serverResourceName["server-".Length..^"-server".Length];
        // The cache and file servers (optional roles) take .18 and .19, below the app servers'.
        var n = id switch
        {
            "data" => 20,
            "cache" => 18,
            "files" => 19,
            _ => 20 + int.Parse(id["app-".Length..], System.Globalization.CultureInfo.InvariantCulture),
        };
        return ($"203.0.113.{n}", $"2001:db8::{n}");
    }

    private readonly ConcurrentQueue<Registration> _registrations = new();
    private readonly ConcurrentQueue<string> _calls = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>
    /// The id the mocks give a resource: a number (Hetzner's ids are) derived from its type and name alone, so a run's ids,
    /// and every input that carries one (a provider reference, a replacement trigger), do not depend on the order in which
    /// the SDK happens to register resources.
    /// </summary>
    public static string IdOf(string type, string name) =>
        (100_000_000 + BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(type + "::" + name))) % 900_000_000)
            .ToString(System.Globalization.CultureInfo.InvariantCulture);

    public IReadOnlyList<Registration> Registrations => [.. _registrations];

    public IReadOnlyList<string> Calls => [.. _calls];

    public async Task<(string? id, object state)> NewResourceAsync(MockResourceArgs args)
    {
        var started = _clock.ElapsedTicks;
        var type = args.Type ?? "";
        var name = args.Name ?? "";
        var state = args.Inputs.ToDictionary(kv => kv.Key, kv => kv.Value);
        var id = IdOf(type, name);

        switch (type)
        {
            case "hcloud:index/server:Server" when !preview:
                (var v4, var v6) = AddressesOf(name);
                state["ipv4Address"] = v4;
                state["ipv6Address"] = v6;
                break;
            case "hcloud:index/loadBalancer:LoadBalancer" when !preview:
                state["ipv4"] = LoadBalancerIpv4;
                state["ipv6"] = LoadBalancerIpv6;
                break;
            case "tls:index/privateKey:PrivateKey":
                state["privateKeyPem"] = PrivateKeyPem;
                break;
            case "tls:index/certRequest:CertRequest":
                state["certRequestPem"] = CertRequestPem;
                break;
            case "cloudflare:index/originCaCertificate:OriginCaCertificate":
                state["certificate"] = CertificatePem;
                break;
            case "docker:index/remoteImage:RemoteImage":
                state["imageId"] = "sha256:" + Hash(args.Inputs["name"].ToString()!);
                break;
            case "random:index/randomPassword:RandomPassword":
                state["result"] = ("pw" + Hash(name))[..Convert.ToInt32(args.Inputs["length"], System.Globalization.CultureInfo.InvariantCulture)];
                break;
            case "docker:index/container:Container" when !state.ContainsKey("name"):
                state["name"] = $"{name}-{id}"; // the provider's autoname
                break;
            case "command:remote:Command":
                await Task.Delay(CommandDelay).ConfigureAwait(false);
                // The readiness step prints the server's host key last (see CloudInit.Readiness).
                state["stdout"] = name.EndsWith("-ready", StringComparison.Ordinal)
                    ? $"status: done\n{Platform.Stacks.Operations.CloudInit.HostKeyMarker}{HostKey}\n"
                    : "";
                break;
        }

        _registrations.Enqueue(new Registration(type, name, args.Inputs, started, _clock.ElapsedTicks) { Id = id });
        return (id, state);
    }

    public Task<object> CallAsync(MockCallArgs args)
    {
        _calls.Enqueue(args.Token ?? "");
        if (args.Token == "cloudflare:index/getZone:getZone")
        {
            var filter = args.Args.TryGetValue("filter", out var f) && f is IDictionary<string, object> d ? d : null;
            var zone = filter?["name"]?.ToString() ?? "unknown";
            return Task.FromResult<object>(new Dictionary<string, object>
            {
                ["id"] = "zone-" + zone,
                ["zoneId"] = "zone-" + zone,
                ["name"] = zone,
            });
        }
        return Task.FromResult<object>(args.Args);
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
