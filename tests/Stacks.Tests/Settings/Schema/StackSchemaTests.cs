using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Settings.Schema;

/// <summary>The stack files' JSON Schema: generated from the settings' rows, committed, and agreeing with every stack the tests use.</summary>
public sealed class StackSchemaTests
{
    [Fact]
    public void The_committed_schema_is_the_generated_one()
    {
        Assert.True(JsonSchemaWriter.Render() == StackSchema.CommittedText,
            $"{JsonSchemaWriter.RepositoryPath} is out of date: run `dotnet run --project stacks -- stack-schema > {JsonSchemaWriter.RepositoryPath}`.");
    }

    [Fact]
    public void Every_setting_and_its_nested_keys_are_in_the_schema()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(StackSchema.CommittedText)!;
        var config = json["properties"]!["config"]!["properties"]!.AsObject();
        foreach (var def in SettingsSchema.All)
        {
            Assert.True(config.ContainsKey(def.Key), def.Key);
            Assert.Equal(def.Description, (string?)config[def.Key]!["description"]);
        }
        // Every object and list-of-objects setting has its keys described, down to the apps' routes and jobs.
        Assert.All(SettingsSchema.All.Where(d => d.Type is SettingType.Object or SettingType.ObjectArray), d => Assert.True(d.Shape is not null || d.Values is not null, d.Name));
        var definitions = json["definitions"]!.AsObject();
        foreach (var name in new[] { "app", "route", "headers", "cors", "rateLimit", "needs", "database", "redis", "bucket", "grant", "volume", "release", "job", "cacheRule", "staticFiles", "servers", "alertChannel", "dnsRecord" })
        {
            Assert.True(definitions.ContainsKey(name), name);
            Assert.False((bool)definitions[name]!["additionalProperties"]!, name);
        }
        var (settings, objects, nested) = JsonSchemaWriter.Size();
        Assert.Equal(SettingsSchema.All.Count, settings);
        Assert.True(objects >= 30 && nested >= 150, $"{objects} objects, {nested} nested keys");
    }

    [Theory]
    [MemberData(nameof(TestStacks.ShippedStackNames), MemberType = typeof(TestStacks))]
    public void Shipped_stacks_point_editors_at_the_schema_and_conform(string stack)
    {
        var text = File.ReadAllText(Path.Combine(TestStacks.RepoRoot, StackFiles.StackFile(stack)));
        Assert.StartsWith(JsonSchemaWriter.ModelineComment + "\n", text, StringComparison.Ordinal);
        Assert.Empty(StackSchema.Problems(text));
    }

    [Fact]
    public void Every_fixture_stack_the_reader_accepts_conforms()
    {
        var accepted = 0;
        var failures = new List<string>();
        foreach (var f in FixtureStacks.Candidates)
        {
            bool ok;
            try { ok = StackSchema.ReaderAccepts(f.Text); }
            catch (YamlDotNet.Core.YamlException) { continue; } // a snippet that repeats a key of TestStacks.Yaml's own
            if (!ok) continue;
            accepted++;
            var problems = StackSchema.Problems(f.Text);
            if (problems.Count > 0) failures.Add($"{f.Source}:\n  {string.Join("\n  ", problems.Take(5))}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} fixture stacks the reader accepts break the schema:\n{string.Join("\n", failures)}");
        // Not hollow: the tests' sources hold some 600 stack texts, most of them mistakes the reader refuses; over 60 it accepts.
        Assert.True(accepted >= 50, $"only {accepted} of {FixtureStacks.Candidates.Count} fixture stacks were accepted by the reader");
    }

    [Fact]
    public void The_schema_refuses_what_an_editor_should_flag()
    {
        var good = TestStacks.Yaml();
        Assert.Empty(StackSchema.Problems(good));
        Assert.NotEmpty(StackSchema.Problems(good.Replace("platform:environment: staging", "platform:environment: stagin", StringComparison.Ordinal)));
        Assert.NotEmpty(StackSchema.Problems(good.Replace("memoryMb: 256", "memoryMb: lots", StringComparison.Ordinal)));
        Assert.NotEmpty(StackSchema.Problems(good.Replace("memoryMb: 256", "memoryMb: 8", StringComparison.Ordinal)));
        Assert.NotEmpty(StackSchema.Problems(good.Replace("healthPath: /health", "healthPth: /health", StringComparison.Ordinal)));
        Assert.NotEmpty(StackSchema.Problems(good.Replace("platform:cloudflareApiToken:\n    secure: v1:abc", "platform:cloudflareApiToken: plain", StringComparison.Ordinal)));
        Assert.NotEmpty(StackSchema.Problems(good.Replace("  platform:domain: example.com\n", "", StringComparison.Ordinal)));
        Assert.NotEmpty(StackSchema.Problems(good + "\n  hcloud:token: plain\n"));
        Assert.NotEmpty(StackSchema.Problems(good + "\n  acme:thing: 1\n"));
        Assert.Empty(StackSchema.Problems(good + "\n  hcloud:endpoint: https://api.example.net\n"));
    }
}
