using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Tests.Settings;

/// <summary>The reading kit every part's reader shares: each helper reports exactly what the long-hand form did.</summary>
public sealed class NodeReaderFieldsTests
{
    private static (NodeReader Reader, List<SettingsError> Errors) Reader()
    {
        var errors = new List<SettingsError>();
        return (new NodeReader(errors), errors);
    }

    private static IReadOnlyDictionary<string, YamlNode> Map(params (string Key, YamlNode Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);

    [Fact]
    public void Cidrs_keeps_networks_and_reports_each_other_entry_under_its_index()
    {
        var (r, errors) = Reader();
        var kept = r.Cidrs(["203.0.113.0/24", "nonsense", "203.0.113.7/24", "0.0.0.0/0", "2001:db8::/48"], "k", "203.0.113.10/32");
        Assert.Equal(["203.0.113.0/24", "0.0.0.0/0", "2001:db8::/48"], kept.ToArray());
        Assert.Equal(["k[1]", "k[2]"], errors.Select(e => e.Key));
        Assert.Equal("'nonsense' is not a CIDR.", errors[0].Problem);
        Assert.Equal("Write an address with a prefix length, e.g. 203.0.113.10/32.", errors[0].Fix);
        Assert.Equal("Write it as 203.0.113.0/24.", errors[1].Fix);
    }

    [Fact]
    public void Cidrs_refuses_the_whole_internet_only_when_told()
    {
        var (r, errors) = Reader();
        var kept = r.Cidrs(["0.0.0.0/0", "::/0", "10.0.0.0/8"], "k", "x", "opens SSH to the whole internet.", "List only your office or VPN CIDRs.");
        Assert.Equal(["10.0.0.0/8"], kept.ToArray());
        Assert.Equal(["k[0]", "k[1]"], errors.Select(e => e.Key));
        Assert.Equal("'::/0' opens SSH to the whole internet.", errors[1].Problem);
        Assert.Equal("List only your office or VPN CIDRs.", errors[1].Fix);
    }

    [Fact]
    public void Required_reports_a_missing_field_under_its_key_with_the_fix()
    {
        var (r, errors) = Reader();
        Assert.False(r.Required(Map(), "name", "apps[0]", "Give the app a name.", out var missing));
        Assert.Equal("", missing);
        Assert.True(r.Required(Map(("name", new YamlScalarNode("api"))), "name", "apps[1]", "unused", out var given));
        Assert.Equal("api", given);
        var error = Assert.Single(errors);
        Assert.Equal(new SettingsError("apps[0].name", "is required.", "Give the app a name."), error);
    }

    [Fact]
    public void Optional_fields_are_silent_when_unset_and_read_under_their_key_when_set()
    {
        var (r, errors) = Reader();
        var empty = Map();
        Assert.Null(r.OptionalInt(empty, "port", "a", 8080, 1, 65535));
        Assert.Null(r.OptionalString(empty, "engine", "a"));
        Assert.False(r.Flag(empty, "websockets", "a"));
        Assert.Empty(r.OptionalList(empty, "command", "a"));
        Assert.Empty(errors);

        var set = Map(("port", new YamlScalarNode("70000")), ("websockets", new YamlScalarNode("yes")), ("command", new YamlScalarNode("run")));
        Assert.Equal(8080, r.OptionalInt(set, "port", "a", 8080, 1, 65535));
        Assert.False(r.Flag(set, "websockets", "a"));
        Assert.Empty(r.OptionalList(set, "command", "a"));
        Assert.Equal(["a.port", "a.websockets", "a.command"], errors.Select(e => e.Key));
    }

    [Fact]
    public void Fail_records_the_problem_and_returns_the_fallback()
    {
        var (r, errors) = Reader();
        Assert.Equal(7, r.Fail("k", "is bad.", "Fix it.", 7));
        Assert.Equal(new SettingsError("k", "is bad.", "Fix it."), Assert.Single(errors));
        r.Report(null);
        Assert.Single(errors);
    }
}
