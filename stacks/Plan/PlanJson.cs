using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;

namespace Platform.Stacks.Plan;

/// <summary>The blueprint as JSON for machines: every field, secrets masked, keys in declaration order, collections sorted.</summary>
public static class PlanJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase), new SecretTextConverter() },
    };

    public static string Render(PlatformBlueprint blueprint) => JsonSerializer.Serialize(blueprint, Options) + "\n";

    /// <summary>Writes a <see cref="SecretText"/> as its masked form; it is never read back.</summary>
    private sealed class SecretTextConverter : JsonConverter<SecretText>
    {
        public override SecretText Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("The plan is output only.");

        public override void Write(Utf8JsonWriter writer, SecretText value, JsonSerializerOptions options) => writer.WriteStringValue(value.Masked);
    }
}
