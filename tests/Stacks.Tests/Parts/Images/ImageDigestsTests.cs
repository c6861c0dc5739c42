using System.Collections.Immutable;
using System.Net;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.Images;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts.Images;

/// <summary>Images by digest: references, the recorded mapping, what deploys, the warnings, and pin-images' edit of the stack file.</summary>
public sealed class ImageDigestsTests
{
    private static string Digest(char c) => "sha256:" + new string(c, 64);

    /// <summary>Cases from distribution/reference's normalize_test.go (TestParseNormalizedNamed, ParseDockerRef) that the platform's images use.</summary>
    [Theory]
    [InlineData("postgres:16.6-alpine", "docker.io", "library/postgres", "16.6-alpine", null)]
    [InlineData("redis:7.4-alpine", "docker.io", "library/redis", "7.4-alpine", null)]
    [InlineData("louislam/uptime-kuma:2.0.2", "docker.io", "louislam/uptime-kuma", "2.0.2", null)]
    [InlineData("ghcr.io/brightlane/api:3.8.1", "ghcr.io", "brightlane/api", "3.8.1", null)]
    [InlineData("localhost/app:1", "localhost", "app", "1", null)]
    [InlineData("127.0.0.1:5000/test/app:1.0", "127.0.0.1:5000", "test/app", "1.0", null)]
    [InlineData("quay.io/prometheus/node-exporter:v1.8.2@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "quay.io", "prometheus/node-exporter", "v1.8.2", "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void References_are_read_as_docker_reads_them(string text, string registry, string repository, string tag, string? digest)
    {
        var (reference, problem) = ImageReference.Parse(text);
        Assert.Null(problem);
        Assert.Equal(new ImageReference(registry, repository, tag, digest), reference);
    }

    [Theory]
    [InlineData("Postgres:16")]
    [InlineData("postgres:16@sha256:abc")]
    [InlineData("postgres: 16")]
    [InlineData("")]
    [InlineData("redis")]
    [InlineData("redis:latest")]
    public void Bad_references_are_refused_with_a_reason(string text)
    {
        var (reference, problem) = ImageReference.Parse(text);
        Assert.Null(reference);
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Fact]
    public void Docker_hub_is_asked_at_its_api_host_and_only_loopback_registries_over_http()
    {
        Assert.Equal("registry-1.docker.io", ImageReference.Parse("postgres:16").Reference!.ApiHost);
        Assert.True(ImageReference.Parse("127.0.0.1:5000/a:1").Reference!.IsLoopback);
        Assert.True(ImageReference.Parse("localhost:5000/a:1").Reference!.IsLoopback);
        Assert.False(ImageReference.Parse("ghcr.io/a/b:1").Reference!.IsLoopback);
        Assert.False(ImageReference.Parse("10.0.0.1:5000/a:1").Reference!.IsLoopback);
    }

    [Fact]
    public void A_recorded_digest_is_what_deploys_and_images_built_on_the_server_keep_their_name()
    {
        var settings = TestStacks.Shipped("prod");
        var plain = BlueprintBuilder.Build(settings);
        var images = ImageDigests.Pullable(plain);
        Assert.Contains("ghcr.io/brightlane/api:3.8.1", images);
        Assert.DoesNotContain(images, i => i.Contains('@', StringComparison.Ordinal));
        var pinned = BlueprintBuilder.Build(settings with { ImageDigests = images.ToImmutableSortedDictionary(i => i, _ => Digest('a'), StringComparer.Ordinal) });
        foreach (var svc in pinned.Services)
        {
            if (svc.ImageBuiltBy is null)
                Assert.Equal($"{plain.Services.Single(x => x.Name == svc.Name && x.Host == svc.Host).Image}@{Digest('a')}", svc.Image);
            else
                Assert.DoesNotContain("@", svc.Image, StringComparison.Ordinal);
        }
        // The image's resource keeps its name: a digest recorded or moved updates it.
        var api = pinned.Services.First(x => x.Image.StartsWith("ghcr.io/brightlane/api:3.8.1@", StringComparison.Ordinal)).Image;
        Assert.Equal(ShellDecisions.ImageResourceName("ghcr.io/brightlane/api:3.8.1"), ShellDecisions.ImageResourceName(api));
        Assert.Empty(pinned.ImageWarnings);
        Assert.Empty(Policy.Policies.Check(pinned));
    }

    [Fact]
    public void Prod_warns_of_images_by_tag_and_every_stack_of_stale_digests()
    {
        var prod = BlueprintBuilder.Build(TestStacks.Shipped("prod"));
        var images = ImageDigests.Pullable(prod);
        Assert.Equal("every image deploys by tag, none by a recorded digest: run `dotnet run --project stacks -- pin-images --stack prod` and commit Pulumi.prod.yaml", Assert.Single(prod.ImageWarnings));
        var allButOne = images.Skip(1).ToImmutableSortedDictionary(i => i, _ => Digest('a'), StringComparer.Ordinal);
        var partly = BlueprintBuilder.Build(TestStacks.Shipped("prod") with { ImageDigests = allButOne });
        Assert.Equal($"1 of {images.Length} images deploy by tag, not by a recorded digest ({images[0]}): run `dotnet run --project stacks -- pin-images --stack prod` and commit Pulumi.prod.yaml", Assert.Single(partly.ImageWarnings));
        Assert.Contains(prod.ImageWarnings[0], PlanSummary.Of(prod).Warnings);
        Assert.Empty(BlueprintBuilder.Build(TestStacks.Shipped("staging")).ImageWarnings);
        var stale = BlueprintBuilder.Build(TestStacks.Shipped("staging") with { ImageDigests = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [KeyValuePair.Create("ghcr.io/brightlane/gone:1.0", Digest('b'))]) });
        Assert.Contains("records 1 image(s) the stack does not deploy (ghcr.io/brightlane/gone:1.0)", Assert.Single(stale.ImageWarnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_entries_are_errors_under_their_key()
    {
        var errors = TestStacks.Errors(TestStacks.Yaml(extra: $"platform:imageDigests:\n  \"ghcr.io/a/b:1\": sha256:xyz\n  \"Bad Ref\": {Digest('c')}\n  \"ghcr.io/a/c:1@{Digest('d')}\": {Digest('d')}\n"));
        Assert.Contains(errors, e => e.Key == "platform:imageDigests.ghcr.io/a/b:1" && e.Problem.Contains("not a digest", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Key == "platform:imageDigests.Bad Ref");
        Assert.Contains(errors, e => e.Key.StartsWith("platform:imageDigests.ghcr.io/a/c:1@", StringComparison.Ordinal) && e.Problem.Contains("already holds a digest", StringComparison.Ordinal));
    }

    [Fact]
    public void Writing_keeps_every_other_line_replaces_the_block_and_reads_back()
    {
        var text = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.staging.yaml"));
        var first = new Dictionary<string, string> { ["ghcr.io/brightlane/api:3.8.1"] = Digest('1'), ["postgres:16.6-alpine"] = Digest('2') };
        var (once, problem) = ImageDigests.Write(text, first);
        Assert.Null(problem);
        // Only lines added, none changed or removed.
        var before = text.Split('\n');
        var after = once!.Split('\n');
        Assert.Equal(before.Length + 3, after.Length);
        Assert.Empty(before.Except(after));
        var read = SettingsReader.Read(StackFiles.Parse("platform", "staging", once));
        Assert.Equal(first.OrderBy(kv => kv.Key, StringComparer.Ordinal), read.ImageDigests);
        // A second write replaces the block (the stale entry goes), and writing the same again changes nothing.
        var second = new Dictionary<string, string> { ["ghcr.io/brightlane/api:3.8.1"] = Digest('3') };
        var (twice, _) = ImageDigests.Write(once, second);
        Assert.Equal(second, SettingsReader.Read(StackFiles.Parse("platform", "staging", twice!)).ImageDigests);
        Assert.Equal(twice, ImageDigests.Write(twice!, second).Text);
        Assert.Equal(text.Split('\n').Length + 2, twice!.Split('\n').Length);
    }

    [Fact]
    public void Bearer_challenges_are_read_with_quoted_commas()
    {
        var p = RegistryResolver.Challenge("realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/postgres:pull,push\"");
        Assert.Equal("https://auth.docker.io/token", p["realm"]);
        Assert.Equal("registry.docker.io", p["service"]);
        Assert.Equal("repository:library/postgres:pull,push", p["scope"]);
    }

    /// <summary>
    /// A stand-in for the network (no test leaves the machine): a registry that asks for a token as Docker Hub's does
    /// (distribution's docs/spec/auth/token.md: 401 with a Bearer challenge, the token from the realm, the request again).
    /// </summary>
    private sealed class TokenRegistry(Func<string, string?> digestOf) : HttpMessageHandler
    {
        public List<string> Seen { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var url = request.RequestUri!;
            Seen.Add($"{request.Method} {url}");
            if (url.Host == "auth.example.test")
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"token\":\"t0k\"}") });
            if (request.Headers.Authorization?.Parameter != "t0k")
            {
                var unauthorized = new HttpResponseMessage(HttpStatusCode.Unauthorized);
                unauthorized.Headers.WwwAuthenticate.ParseAdd($"Bearer realm=\"https://auth.example.test/token\",service=\"registry.example.test\",scope=\"repository:{url.AbsolutePath.Split("/manifests/")[0][4..]}:pull\"");
                return Task.FromResult(unauthorized);
            }
            Assert.Contains("application/vnd.oci.image.index.v1+json", request.Headers.Accept.Select(a => a.MediaType));
            var digest = digestOf(url.AbsolutePath);
            var response = new HttpResponseMessage(digest is null ? HttpStatusCode.NotFound : HttpStatusCode.OK);
            if (digest is not null) response.Headers.Add("Docker-Content-Digest", digest);
            return Task.FromResult(response);
        }
    }

    [Fact]
    public async Task The_resolver_answers_a_bearer_challenge_and_asks_for_a_pull_token_of_the_repository()
    {
        var registry = new TokenRegistry(path => path == "/v2/library/postgres/manifests/16.6-alpine" ? Digest('e') : null);
        var resolver = new RegistryResolver(new HttpClient(registry));
        var (digest, problem) = await resolver.ResolveAsync(ImageReference.Parse("postgres:16.6-alpine").Reference!);
        Assert.Null(problem);
        Assert.Equal(Digest('e'), digest);
        Assert.Equal(
        [
            "HEAD https://registry-1.docker.io/v2/library/postgres/manifests/16.6-alpine",
            "GET https://auth.example.test/token?service=registry.example.test&scope=repository%3Alibrary%2Fpostgres%3Apull",
            "HEAD https://registry-1.docker.io/v2/library/postgres/manifests/16.6-alpine",
        ], registry.Seen);
        var (missing, why) = await resolver.ResolveAsync(ImageReference.Parse("postgres:99").Reference!);
        Assert.Null(missing);
        Assert.Equal("docker.io has no tag '99' of library/postgres", why);
    }

    [Fact]
    public async Task Pin_images_writes_every_digest_and_prints_the_review_or_writes_nothing_when_one_fails()
    {
        var dir = Directory.CreateTempSubdirectory("pin-images-").FullName;
        try
        {
            foreach (var f in new[] { "Pulumi.yaml", "Pulumi.staging.yaml" })
                File.Copy(Path.Combine(TestStacks.RepoRoot, f), Path.Combine(dir, f));
            var original = File.ReadAllText(Path.Combine(dir, "Pulumi.staging.yaml"));

            // One image has no such tag: nothing is written, every failure is printed.
            var failing = new RegistryResolver(new HttpClient(new TokenRegistry(path => path.Contains("/brightlane/admin/", StringComparison.Ordinal) ? null : Digest('f'))));
            var (o1, e1) = (new StringWriter(), new StringWriter());
            Assert.Equal(1, await PinImages.RunAsync(dir, "staging", failing, o1, e1));
            Assert.Contains("error: ghcr.io/brightlane/admin:1.9.2: ghcr.io has no tag '1.9.2' of brightlane/admin", e1.ToString(), StringComparison.Ordinal);
            Assert.Equal(original, File.ReadAllText(Path.Combine(dir, "Pulumi.staging.yaml")));

            var ok = new RegistryResolver(new HttpClient(new TokenRegistry(_ => Digest('f'))));
            var (o2, e2) = (new StringWriter(), new StringWriter());
            Assert.Equal(0, await PinImages.RunAsync(dir, "staging", ok, o2, e2));
            var pinned = SettingsReader.Load(dir, "staging");
            Assert.Equal(ImageDigests.Pullable(BlueprintBuilder.Build(TestStacks.Shipped("staging"))).ToArray(), pinned.ImageDigests.Keys.ToArray());
            Assert.Contains($"ghcr.io/brightlane/api:3.8.1: {Digest('f')} (new)", o2.ToString(), StringComparison.Ordinal);
            // The review shows the api containers' image moving to the digest.
            Assert.Contains($"ghcr.io/brightlane/api:3.8.1@{Digest('f')}", o2.ToString(), StringComparison.Ordinal);

            // Again with the same digests: nothing moves, the file is not touched.
            var written = File.ReadAllText(Path.Combine(dir, "Pulumi.staging.yaml"));
            var (o3, _) = (new StringWriter(), new StringWriter());
            Assert.Equal(0, await PinImages.RunAsync(dir, "staging", ok, o3, new StringWriter()));
            Assert.Contains("no digest moved", o3.ToString(), StringComparison.Ordinal);
            Assert.Equal(written, File.ReadAllText(Path.Combine(dir, "Pulumi.staging.yaml")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
