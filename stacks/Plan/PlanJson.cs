using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;
using Platform.Stacks.Parts;

namespace Platform.Stacks.Plan;

/// <summary>
/// The blueprint as JSON for machines: every field, secrets masked, keys in declaration order, collections sorted.
/// A server is named by its key everywhere (<c>"host": "app-2"</c>, <c>"server": "data"</c>, <c>"server"</c> on a
/// single-server stack); each of <c>servers</c> says its <c>key</c>, <c>role</c> (<c>app</c>, <c>data</c>, or
/// <c>all</c> for the one server of a single-server stack) and <c>firewall</c>; a DNS record's <c>target</c> is
/// <c>loadBalancer</c> or a server's key. The first key, <c>summary</c>, is <see cref="PlanSummary"/>.
/// </summary>
public static class PlanJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase), new SecretTextConverter(), new ServerKeyConverter(), new AddressTargetConverter() },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { Shape } },
    };

    public static string Render(PlatformBlueprint blueprint) => JsonSerializer.Serialize(blueprint, Options) + "\n";

    /// <summary>The role a server has in the plan's JSON: <c>app</c>, <c>data</c> or <c>all</c> (the single server).</summary>
    public static string Role(ServerKey key) => key.Role switch
    {
        ServerRole.App => "app",
        ServerRole.Data => "data",
        ServerRole.Cache => "cache",
        ServerRole.Files => "files",
        _ => "all",
    };

    private static void Shape(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object) return;
        if (info.Type == typeof(PlatformBlueprint))
        {
            // The app servers are in servers already (with their role); a second copy would only repeat their user data.
            var appServers = info.Properties.Single(p => p.Name == "appServers");
            info.Properties.Remove(appServers);
            // What a reviewer or a CI step reads first: the same summary as the text plan's.
            var summary = info.CreateJsonPropertyInfo(typeof(PlanSummary), "summary");
            summary.Get = o => PlanSummary.Of((PlatformBlueprint)o);
            info.Properties.Insert(0, summary);
        }
        else if (info.Type == typeof(ServerSpec))
        {
            var key = info.Properties.Single(p => p.Name == "key");
            var role = info.CreateJsonPropertyInfo(typeof(string), "role");
            role.Get = o => Role(((ServerSpec)o).Key);
            info.Properties.Insert(info.Properties.IndexOf(key) + 1, role);
            // The name of the firewall applied to it (the firewall itself is in firewalls).
            info.Properties.Single(p => p.Name == "firewallName").Name = "firewall";
        }
    }

    /// <summary>Writes a <see cref="SecretText"/> as its masked form; it is never read back.</summary>
    private sealed class SecretTextConverter : JsonConverter<SecretText>
    {
        public override SecretText Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("The plan is output only.");

        public override void Write(Utf8JsonWriter writer, SecretText value, JsonSerializerOptions options) => writer.WriteStringValue(value.Masked);
    }

    /// <summary>Writes a <see cref="ServerKey"/> as its id: <c>server</c>, <c>data</c> or <c>app-n</c>.</summary>
    private sealed class ServerKeyConverter : JsonConverter<ServerKey>
    {
        public override ServerKey Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("The plan is output only.");

        public override void Write(Utf8JsonWriter writer, ServerKey value, JsonSerializerOptions options) => writer.WriteStringValue(value.Id);
    }

    /// <summary>Writes what a DNS record points at: <c>loadBalancer</c>, or the server's id.</summary>
    private sealed class AddressTargetConverter : JsonConverter<AddressTarget>
    {
        public override AddressTarget Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("The plan is output only.");

        public override void Write(Utf8JsonWriter writer, AddressTarget value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.Server is { } server ? server.Id : "loadBalancer");
    }
}
