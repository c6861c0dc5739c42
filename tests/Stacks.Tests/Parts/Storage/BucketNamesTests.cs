using Platform.Stacks.Blueprint;
using Platform.Stacks.Parts.Storage;
using Platform.Stacks.Plan;
using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Parts.Storage;

/// <summary>Bucket names the stack chooses (<c>needs.buckets[].bucketName</c>): used everywhere, valid for S3, never another's.</summary>
public sealed class BucketNamesTests
{
    private static string Apps(string tourBuckets, string otherBuckets = "[{ name: images }]", string other = "tour-admin") => $$"""
        - name: tour
          image: ghcr.io/example/tour:1.0.0
          port: 8000
          routes: [{ host: app }]
          healthPath: /health
          cpus: 0.5
          memoryMb: 256
          needs: { buckets: {{tourBuckets}} }
        - name: {{other}}
          image: ghcr.io/example/tour:1.0.0
          port: 8000
          routes: [{ host: admin }]
          healthPath: /health
          cpus: 0.5
          memoryMb: 256
          needs: { buckets: {{otherBuckets}} }
        """;

    private static IReadOnlyList<SettingsError> Errors(string apps) => TestStacks.Errors(TestStacks.Yaml(apps));

    [Fact]
    public void A_chosen_name_is_the_bucket_its_policy_and_its_env()
    {
        var b = BlueprintBuilder.Build(TestStacks.Read(TestStacks.Yaml(Apps(
            "[{ name: images, bucketName: tour-images, publicRead: true, grants: [{ app: tour-admin, access: read }] }, { name: docs }]"))));
        Assert.Equal(["tour-admin-images", "tour-docs", "tour-images"], b.Buckets.Select(x => x.Name).ToArray());
        var script = b.HostCommands.Single(c => c.Name == HostCommandNames.MinioProvision).Stdin!.Masked;
        Assert.Contains("mc mb --ignore-existing local/tour-images\nmc anonymous set download local/tour-images\n", script, StringComparison.Ordinal);
        Assert.DoesNotContain("tour-tour-images", script, StringComparison.Ordinal);
        var policies = MinioBlueprint.Policies(b.Buckets);
        Assert.Contains(policies["tour"], p => p.Contains("\"arn:aws:s3:::tour-images/*\"", StringComparison.Ordinal));
        Assert.Contains(policies["tour-admin"], p => p.Contains("\"arn:aws:s3:::tour-images/*\"", StringComparison.Ordinal) && p.Contains("s3:GetObject", StringComparison.Ordinal));
        var tour = b.Services.Single(x => x.Name == "tour-1");
        Assert.Equal("tour-images", tour.Env["S3_BUCKET_IMAGES"].Masked);
        Assert.Equal("tour-docs", tour.Env["S3_BUCKET_DOCS"].Masked);
        Assert.Contains("bucket tour-images (tour's images, named by the stack): owner tour, public read; granted to tour-admin (read)", PlanText.Render(b), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Tour_Images", "not a valid S3 bucket name")]
    [InlineData("ti", "not a valid S3 bucket name")]
    [InlineData("tour.images", "not a valid S3 bucket name")]
    [InlineData("-tour", "not a valid S3 bucket name")]
    [InlineData("xn--tour", "which S3 reserves")]
    [InlineData("tour-s3alias", "which S3 reserves")]
    [InlineData("minio", "MinIO's reserved bucket")]
    [InlineData("platform-backups", "keeps for its own buckets")]
    public void A_chosen_name_S3_or_the_platform_refuses_names_its_key_and_the_fix(string name, string problem)
    {
        var error = Assert.Single(Errors(Apps($"[{{ name: images, bucketName: \"{name}\" }}]")));
        Assert.Equal("platform:apps[0].needs.buckets[0].bucketName", error.Key);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
        Assert.Contains("remove bucketName to get tour-images", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_chosen_name_that_another_apps_derived_bucket_has_is_refused()
    {
        // tour-admin's images bucket is tour-admin-images: tour may not choose it.
        var error = Assert.Single(Errors(Apps("[{ name: images, bucketName: tour-admin-images }]")));
        Assert.Equal("platform:apps[1].needs.buckets[0].name", error.Key);
        Assert.Contains("platform:apps[0].needs.buckets[0].bucketName makes too", error.Problem, StringComparison.Ordinal);
        Assert.Contains("grant it", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_apps_choosing_one_name_and_one_app_choosing_its_own_derived_name_are_refused()
    {
        var both = Errors(Apps("[{ name: images, bucketName: shared-images }]", "[{ name: pics, bucketName: shared-images }]"));
        Assert.Equal("platform:apps[1].needs.buckets[0].bucketName", Assert.Single(both).Key);
        var own = Errors(Apps("[{ name: images }, { name: pics, bucketName: tour-images }]"));
        Assert.Equal("platform:apps[0].needs.buckets[1].bucketName", Assert.Single(own).Key);
    }

    [Fact]
    public void A_derived_name_in_the_platforms_namespace_is_refused()
    {
        var error = Assert.Single(Errors(Apps("[{ name: docs }]", "[{ name: backups }]", other: "platform")));
        Assert.Equal("platform:apps[1].needs.buckets[0].name", error.Key);
        Assert.Contains("'platform-backups'", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shipped_prod_stack_names_a_bucket_for_its_cdn()
    {
        var b = TestStacks.ShippedBlueprint("prod");
        var images = b.Buckets.Single(x => x.Name == "brightlane-images");
        Assert.Equal(("api", "images", true), (images.App, images.ChosenFor, images.PublicRead));
        Assert.Equal("brightlane-images", b.Services.Single(x => x.Name == "api-1").Env["S3_BUCKET_IMAGES"].Masked);
    }
}
