using Platform.Stacks.Data;

namespace Platform.Stacks.Tests.Data;

public sealed class PostgresNamesTests
{
    [Theory]
    [InlineData("api")]
    [InlineData("shop_v2")]
    [InlineData("a")]
    [InlineData("a23456789012345678901234567890123456789012345678901234567890123")] // 63
    public void Plain_names_are_valid(string name)
    {
        Assert.True(PostgresNames.IsValid(name));
        Assert.Equal(name, PostgresNames.Validate(name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Api")]
    [InlineData("1api")]
    [InlineData("_api")]
    [InlineData("my-app")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")] // 64
    [InlineData("x\"; DROP DATABASE blog; --")]
    [InlineData("shop'--")]
    [InlineData("shop;")]
    [InlineData("shop--")]
    [InlineData("shop\\")]
    [InlineData("shop ")]
    [InlineData("sh\nop")]
    [InlineData("sh\0op")]
    [InlineData("postgres")]
    [InlineData("template0")]
    [InlineData("template1")]
    [InlineData("pgbouncer")]
    [InlineData("pgbouncer_stats")]
    [InlineData("public")]
    [InlineData("all")]
    [InlineData("replication")]
    [InlineData("pg_monitor")]
    [InlineData("pg_anything")]
    public void Unsafe_or_reserved_names_are_rejected(string name)
    {
        Assert.False(PostgresNames.IsValid(name));
        Assert.NotNull(PostgresNames.Problem(name));
        var e = Assert.Throws<ArgumentException>(() => PostgresNames.Validate(name));
        Assert.DoesNotContain("\n", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("api", "api")]
    [InlineData("my-app", "my_app")]
    public void App_names_map_to_underscored_identifiers(string app, string expected) => Assert.Equal(expected, PostgresNames.ForApp(app));

    [Fact]
    public void App_names_mapping_to_reserved_names_are_rejected() =>
        Assert.Throws<ArgumentException>(() => PostgresNames.ForApp("pgbouncer-stats"));

    [Theory]
    [InlineData("abc", "\"abc\"")]
    [InlineData("a\"b", "\"a\"\"b\"")]
    [InlineData("x\"; DROP TABLE t; --", "\"x\"\"; DROP TABLE t; --\"")]
    public void QuoteIdent_doubles_double_quotes(string input, string expected) => Assert.Equal(expected, PostgresNames.QuoteIdent(input));

    [Theory]
    [InlineData("abc", "'abc'")]
    [InlineData("it's", "'it''s'")]
    [InlineData("a\\b", "E'a\\\\b'")]
    [InlineData("\\'; DROP TABLE t; --", "E'\\\\''; DROP TABLE t; --'")]
    public void QuoteLiteral_doubles_quotes_and_backslashes(string input, string expected) => Assert.Equal(expected, PostgresNames.QuoteLiteral(input));

    [Fact]
    public void Quoting_refuses_nul() 
    {
        Assert.Throws<ArgumentException>(() => PostgresNames.QuoteIdent("a\0b"));
        Assert.Throws<ArgumentException>(() => PostgresNames.QuoteLiteral("a\0b"));
    }

    [Theory]
    [InlineData("pg_trgm", true)]
    [InlineData("uuid-ossp", true)]
    [InlineData("citext", true)]
    [InlineData("pg_trgm; DROP", false)]
    [InlineData("\"x\"", false)]
    [InlineData("", false)]
    public void Extension_names(string ext, bool ok)
    {
        if (ok) Assert.Equal(ext, PostgresNames.ValidateExtension(ext));
        else Assert.Throws<ArgumentException>(() => PostgresNames.ValidateExtension(ext));
    }
}
