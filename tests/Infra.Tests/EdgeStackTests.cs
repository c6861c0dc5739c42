using System.Collections;
using Platform.Components.Operations;
using Platform.Infra.Tests.Support;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.Edge;
using Platform.Stacks.Settings;
using Pulumi;

namespace Platform.Infra.Tests;

/// <summary>The edge's new pieces through the program: a custom domain, basic auth from a secret, the auth files' mount.</summary>
[Collection(PulumiCollection.Name)]
public sealed class EdgeStackTests
{
    private const string Container = "docker:index/container:Container";
    private const string Dns = "cloudflare:index/dnsRecord:DnsRecord";
    private const string Command = "command:remote:Command";

    private const string Ops = """
            - name: ops
              image: ghcr.io/brightlane/ops:1.0.0
              port: 8080
              routes:
                - { host: ops, allowCidrs: [203.0.113.0/24], basicAuth: ADMIN_USERS }
                - { domain: shop.customer.com }
              healthPath: /healthz
              cpus: 0.25
              memoryMb: 128

        """;

    private static PlatformBlueprint Blueprint()
    {
        var text = File.ReadAllText(Path.Combine(StackRun.RepoRoot(), "Pulumi.staging.yaml"))
            .Replace("config:\n", "config:\n  platform:cloudflareOnlyIngress: false\n", StringComparison.Ordinal)
            .Replace("  platform:appSecrets:\n", "  platform:appSecrets:\n    ops:\n      ADMIN_USERS:\n        secure: v1:abc\n", StringComparison.Ordinal)
            .Replace("  platform:apps:\n", "  platform:apps:\n" + Ops, StringComparison.Ordinal)
            .Replace("platform:serverType: cx32", "platform:serverType: cx42", StringComparison.Ordinal);
        return BlueprintBuilder.Build(SettingsReader.Read(StackFiles.Parse("platform", "staging", text)));
    }

    [Fact]
    public async Task Basic_auth_users_reach_traefik_as_a_secret_file_and_a_custom_domain_gets_no_dns_record()
    {
        var run = await StackRun.Of(Blueprint(), preview: false);
        Assert.DoesNotContain(run.OfType(Dns), r => ((string)r.Inputs["name"]).Contains("customer", StringComparison.Ordinal));
        Assert.Contains(run.OfType(Dns), r => Equals(r.Inputs["name"], "ops.brightlane.dev"));

        var auth = run.Resources.OfType<HostCommand>().Single(c => c.GetResourceName() == HostCommandNames.TraefikAuthFiles);
        Assert.True(await Output.IsSecretAsync(auth.Stdin!));
        var stdin = (string)run.Named(Command, $"{HostCommandNames.TraefikAuthFiles}-command").Inputs["stdin"];
        Assert.Contains("test-ops-ADMIN_USERS", stdin, StringComparison.Ordinal);
        // The value is in that file only: in no container's labels or environment.
        foreach (var c in run.OfType(Container))
        {
            var labels = c.Inputs.TryGetValue("labels", out var l) ? ((IList)l).Cast<IDictionary<string, object>>().Select(x => (string)x["value"]) : [];
            Assert.DoesNotContain(labels, v => v.Contains("test-ops-ADMIN_USERS", StringComparison.Ordinal));
            var envs = c.Inputs.TryGetValue("envs", out var e) ? ((IList)e).Cast<string>() : [];
            Assert.DoesNotContain(envs, v => v.Contains("test-ops-ADMIN_USERS", StringComparison.Ordinal));
        }

        var traefik = run.Named(Container, $"{ServiceNames.Traefik}-container").Inputs;
        var volumes = ((IList)traefik["volumes"]).Cast<IDictionary<string, object>>();
        static object? Get(IDictionary<string, object> d, string key) => d.TryGetValue(key, out var v) ? v : null;
        Assert.Contains(volumes, v => Equals(Get(v, "hostPath"), EdgeBlueprint.TraefikAuthHostDirectory)
            && Equals(Get(v, "containerPath"), EdgeBlueprint.TraefikAuthDirectory) && Equals(Get(v, "readOnly"), true));
        Assert.Contains("--certificatesresolvers.letsencrypt-http.acme.httpchallenge.entrypoint=web", ((IList)traefik["command"]).Cast<string>());
    }
}
