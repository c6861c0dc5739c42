using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Platform.Infra.Tests.Support;

namespace Platform.Infra.Tests;

/// <summary>
/// Every resource each shipped stack registers under Pulumi's mocks, as the engine would receive it: its URN, and a digest of
/// the rest of its registration request (inputs, provider, parent, dependencies, aliases and every option). The reviewed
/// list is committed under <c>snapshots/</c>, so a change that moves a URN or alters any input or option of any resource
/// fails here and shows which resource; a refactor of the core or the shell must leave it byte-identical.
/// <c>UPDATE_SNAPSHOTS=1</c> rewrites the files (commit them with the change that caused it).
/// </summary>
[Collection(PulumiCollection.Name)]
public sealed class ResourceSnapshotTests
{
    public static TheoryData<string> Stacks => new() { "staging", "small", "prod", "scale" };

    [Theory, MemberData(nameof(Stacks))]
    public async Task Every_resource_registers_as_reviewed(string stack)
    {
        var run = await StackRun.Shipped(stack, preview: false, recordRequests: true);
        Assert.NotEmpty(run.Registered);
        var text = Render(run);
        var path = Path.Combine(StackRun.RepoRoot(), "snapshots", $"{stack}.resources.txt");
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") == "1") File.WriteAllText(path, text);
        var reviewed = File.Exists(path) ? File.ReadAllText(path) : "";
        if (reviewed == text) return;
        var before = reviewed.Split('\n').ToHashSet(StringComparer.Ordinal);
        var after = text.Split('\n').ToHashSet(StringComparer.Ordinal);
        Assert.Fail($"The resources of {stack} differ from snapshots/{stack}.resources.txt:\n"
            + string.Join("\n", before.Except(after).Take(20).Select(l => "- " + l))
            + "\n" + string.Join("\n", after.Except(before).Take(20).Select(l => "+ " + l)));
    }

    /// <summary>One line a resource, in URN order: the URN, then the digest of its request without what only names the source.</summary>
    private static string Render(StackRun run)
    {
        if (Environment.GetEnvironmentVariable("DUMP_REQUESTS") is { Length: > 0 } dump)
            File.WriteAllLines(dump + "." + run.Blueprint.Stack, run.Registered.Select(r => r.Name + " " + r.RequestJson));
        var lines = run.Registered.Select(r => $"{Urn(run, r)} {Digest(r.RequestJson)}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(lines.Count, lines.Distinct(StringComparer.Ordinal).Count());
        return string.Join("\n", lines) + "\n";
    }

    private static string Urn(StackRun run, RegisteredResource r)
    {
        // As the engine names it: the chain of parent types, the stack itself not among them.
        var parentType = r.ParentUrn.Length == 0 ? "" : r.ParentUrn.Split("::")[2];
        var type = parentType is "" or "pulumi:pulumi:Stack" ? r.Type : $"{parentType}${r.Type}";
        return $"urn:pulumi:{run.Blueprint.Stack}::{run.Blueprint.Project}::{type}::{r.Name}";
    }

    /// <summary>
    /// The request's JSON with its keys sorted and its lists of URNs (dependencies, each property's dependencies) sorted,
    /// since the SDK gathers them concurrently; the source position (file and line of the call) is left out.
    /// </summary>
    private static string Digest(string requestJson)
    {
        var node = JsonNode.Parse(requestJson)!.AsObject();
        node.Remove("sourcePosition");
        var canonical = Canonical(node, sortArrays: false)!.ToJsonString();
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..16];
    }

    private static JsonNode? Canonical(JsonNode? node, bool sortArrays) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv =>
            KeyValuePair.Create(kv.Key, Canonical(kv.Value, kv.Key is "dependencies" or "urns")))),
        JsonArray a when sortArrays => new JsonArray([.. a.Select(x => Canonical(x, false)).OrderBy(x => x is null ? "" : x.ToJsonString(), StringComparer.Ordinal)]),
        JsonArray a => new JsonArray([.. a.Select(x => Canonical(x, false))]),
        _ => node?.DeepClone(),
    };
}
