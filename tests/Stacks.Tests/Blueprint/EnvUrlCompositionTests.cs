using System.Web;
using Npgsql;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Blueprint;

/// <summary>
/// Apps extend the platform's URLs in their own env values (Prisma: <c>${database.directUrl}?schema=public</c>). A
/// reference to a URL that already has a query, followed by <c>?k=v</c>, joins the parameters with <c>&amp;</c>; the
/// results are checked with .NET's URL parser, and the key/value form of the same database with Npgsql's builder.
/// </summary>
public sealed class EnvUrlCompositionTests
{
    private const string Apps = """
        - name: crm
          image: ghcr.io/example/crm:2.1.0
          port: 3000
          routes: [{ host: crm }]
          healthPath: /up
          cpus: 0.5
          memoryMb: 256
          env:
            PRISMA_DIRECT_URL: ${database.directUrl}?schema=public
            PRISMA_URL: ${database.url}?pgbouncer=true&connection_limit=1
            CACHE_URL: ${redis.url}?protocol=3
            ConnectionStrings__Default: "Host=${database.host};Port=${database.port};Database=${database.name};Username=${database.user};Password=${database.password};Search Path=public"
          needs:
            database: true
            redis: true
        """;

    private const string Password = "Xk29fPq0Lm7Zr4Tw";

    private static IReadOnlyDictionary<string, Platform.Stacks.Model.SecretText> Env(string apps = Apps) => TestStacks.Build(TestStacks.Yaml(apps)).Service("crm-1").Env;

    private static string Resolved(string name) => Env()[name].Resolve(_ => Password);

    [Fact]
    public void A_query_added_to_a_url_with_a_query_is_joined_with_an_ampersand()
    {
        Assert.Equal("postgres://crm:<secret:app.crm.postgres>@postgres:5432/crm?sslmode=disable&schema=public", Env()["PRISMA_DIRECT_URL"].Masked);
        Assert.Equal("postgres://crm:<secret:app.crm.postgres>@pgbouncer:6432/crm?sslmode=disable&pgbouncer=true&connection_limit=1", Env()["PRISMA_URL"].Masked);
        // A URL without a query keeps the app's '?'.
        Assert.EndsWith("@redis:6379/0?protocol=3", Env()["CACHE_URL"].Masked, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PRISMA_DIRECT_URL", "postgres", 5432, "sslmode=disable", "schema=public")]
    [InlineData("PRISMA_URL", "pgbouncer", 6432, "sslmode=disable", "pgbouncer=true", "connection_limit=1")]
    public void The_composed_urls_parse_with_every_parameter_its_own(string name, string host, int port, params string[] parameters)
    {
        var uri = new Uri(Resolved(name));
        Assert.Equal("postgres", uri.Scheme);
        Assert.Equal(host, uri.Host);
        Assert.Equal(port, uri.Port);
        Assert.Equal("/crm", uri.AbsolutePath);
        Assert.Equal($"crm:{Password}", uri.UserInfo);
        var query = HttpUtility.ParseQueryString(uri.Query);
        Assert.Equal(parameters.Length, query.Count);
        foreach (var p in parameters)
            Assert.Equal(p.Split('=')[1], query[p.Split('=')[0]]);
    }

    [Fact]
    public void The_key_value_form_names_the_same_database_as_the_urls()
    {
        var builder = new NpgsqlConnectionStringBuilder(Resolved("ConnectionStrings__Default"));
        var pooled = new Uri(Resolved("PRISMA_URL"));
        var direct = new Uri(Resolved("PRISMA_DIRECT_URL"));
        Assert.Equal(pooled.Host, builder.Host);
        Assert.Equal(pooled.Port, builder.Port);
        Assert.Equal(direct.AbsolutePath.TrimStart('/'), builder.Database);
        Assert.Equal(direct.UserInfo.Split(':')[0], builder.Username);
        Assert.Equal(direct.UserInfo.Split(':')[1], builder.Password);
        Assert.Equal(HttpUtility.ParseQueryString(direct.Query)["schema"], builder.SearchPath);
    }

    [Fact]
    public void A_parameter_the_platforms_url_sets_already_is_an_error_with_the_fix()
    {
        var errors = TestStacks.Errors(TestStacks.Yaml(Apps.Replace("${database.directUrl}?schema=public", "${database.directUrl}?schema=public&sslmode=require", StringComparison.Ordinal)));
        var e = Assert.Single(errors);
        Assert.Equal("platform:apps[0].env.PRISMA_DIRECT_URL", e.Key);
        Assert.Contains("'sslmode'", e.Problem, StringComparison.Ordinal);
        Assert.Contains("Remove sslmode", e.Fix, StringComparison.Ordinal);
    }
}
