using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.Edge;
using Platform.Stacks.Parts;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Tests.Edge;

/// <summary>Authenticated origin pulls: the shipped CA, Traefik's TLS options, where they are rendered and what they exclude.</summary>
public sealed class OriginPullsTests
{
    [Fact]
    public void The_shipped_ca_is_cloudflares_origin_pull_ca_and_intact()
    {
        var pem = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "stacks", "Catalog", "cloudflare-origin-pull-ca.pem"));
        Assert.Equal(pem.Replace("\r\n", "\n", StringComparison.Ordinal), OriginPulls.CaPem);
        using var ca = X509Certificate2.CreateFromPem(pem);
        Assert.Equal("CN=origin-pull.cloudflare.net, S=California, L=San Francisco, OU=Origin Pull, O=\"CloudFlare, Inc.\", C=US", ca.Subject);
        Assert.Equal(ca.Subject, ca.Issuer);
        // The fingerprint Cloudflare's page gives for the file, and a signature that verifies with its own key (not one byte changed).
        Assert.Equal("9A1AC2B4BE15F9F27EEE20A734CBA4E9898F61001B3BD7C84B69B56A3E25A2B9", ca.GetCertHashString(HashAlgorithmName.SHA256));
        using var chain = new X509Chain { ChainPolicy = { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck, VerificationTime = new DateTime(2027, 1, 1) } };
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        Assert.True(chain.Build(ca), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
    }

    [Fact]
    public void Prod_turns_them_on_and_every_traefik_requires_the_client_certificate()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        Assert.True(b.CloudflareOriginPulls);
        var command = b.HostCommands.Single(c => c.Name == HostCommandNames.TraefikOriginPulls);
        Assert.Equal(ServerKey.Single, command.Host);
        var yaml = RouteExplainer.HostFile(command, OriginPulls.FileName)!;
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var clientAuth = (YamlMappingNode)stream.Documents[0].RootNode["tls"]["options"]["default"]["clientAuth"];
        Assert.Equal("RequireAndVerifyClientCert", ((YamlScalarNode)clientAuth["clientAuthType"]).Value);
        Assert.Equal(OriginPulls.CaPem, ((YamlScalarNode)((YamlSequenceNode)clientAuth["caFiles"]).Single()).Value);
        Assert.Contains(EdgeBlueprint.TraefikDynamicHostDirectory, command.Stdin!.Masked, StringComparison.Ordinal);
        Assert.Contains("authenticated origin pulls: on;", PlanText.Render(b), StringComparison.Ordinal);
    }

    [Fact]
    public void Off_by_default_nothing_is_rendered_and_the_plan_says_so()
    {
        var b = TestStacks.ShippedBlueprint("staging");
        Assert.False(b.CloudflareOriginPulls);
        Assert.DoesNotContain(b.HostCommands, c => c.Name.StartsWith(HostCommandNames.TraefikOriginPulls, StringComparison.Ordinal));
        Assert.Contains("authenticated origin pulls: off (platform:cloudflareOriginPulls)", PlanText.Render(b), StringComparison.Ordinal);
    }

    [Fact]
    public void On_a_split_stack_each_app_servers_traefik_gets_the_options()
    {
        var b = TestStacks.Build(TestStacks.Yaml(extra: "platform:cloudflareOriginPulls: true\nplatform:servers:\n  app: { type: cx32, count: 3 }\n  data: { type: ccx23, volumeGb: 100 }")
            .Replace("  platform:serverType: cx42\n", "", StringComparison.Ordinal));
        Assert.Equal(b.AppServers.Select(a => a.Key.Qualify(HostCommandNames.TraefikOriginPulls)).Order(StringComparer.Ordinal),
            b.HostCommands.Where(c => c.Name.StartsWith(HostCommandNames.TraefikOriginPulls, StringComparison.Ordinal)).Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.All(b.HostCommands.Where(c => c.Name.StartsWith(HostCommandNames.TraefikOriginPulls, StringComparison.Ordinal)), c => Assert.Equal(ServerRole.App, c.Host.Role));
    }

    [Fact]
    public void A_tenant_domain_is_refused_with_origin_pulls_on_since_its_visitors_bring_no_cloudflare_certificate()
    {
        var errors = TestStacks.Errors(TestStacks.Yaml("""
            - name: shop
              image: ghcr.io/example/shop:1.0.0
              port: 8080
              routes: [{ domain: shop.customer.com }]
              healthPath: /health
              cpus: 0.5
              memoryMb: 128
            """, extra: "platform:cloudflareOriginPulls: true\nplatform:cloudflareOnlyIngress: false"));
        var error = Assert.Single(errors);
        Assert.Equal("platform:apps[0].routes[0].domain", error.Key);
        Assert.Contains("platform:cloudflareOriginPulls", error.Fix, StringComparison.Ordinal);
    }
}
