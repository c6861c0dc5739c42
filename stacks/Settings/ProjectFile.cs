using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Platform.Stacks.Settings;

/// <summary>
/// Renders <c>Pulumi.yaml</c> from <see cref="SettingsSchema"/>, so the file the Pulumi CLI checks
/// stack values against and the core's reader can never disagree (a test compares them; run
/// <c>dotnet run --project stacks -- project-file &gt; Pulumi.yaml</c> after changing the schema).
/// </summary>
public static class ProjectFile
{
    public static string Render()
    {
        var sb = new StringBuilder();
        sb.Append("# Generated from stacks/Settings/SettingsSchema.cs by `dotnet run --project stacks -- project-file > Pulumi.yaml`.\n");
        sb.Append("# Do not edit by hand: a test fails when this file and the schema disagree.\n");
        sb.Append("name: platform\n");
        sb.Append("runtime: dotnet\n");
        sb.Append("description: A small company's self-hosted platform on Hetzner Cloud, Cloudflare and Docker.\n");
        sb.Append("config:\n");
        foreach (var def in SettingsSchema.All.Where(d => d.InProjectFile))
        {
            sb.Append(CultureInfo.InvariantCulture, $"  {def.Name}:\n");
            sb.Append(CultureInfo.InvariantCulture, $"    type: {PulumiType(def.Type)}\n");
            if (def.Type == SettingType.StringArray) sb.Append("    items:\n      type: string\n");
            sb.Append(CultureInfo.InvariantCulture, $"    description: {Quote(def.Description)}\n");
            if (def.Secret) sb.Append("    secret: true\n");
            if (def.Default is { } value) sb.Append(CultureInfo.InvariantCulture, $"    default: {Scalar(value)}\n");
        }
        sb.Append("# Settings Pulumi's project schema cannot declare (objects, and secrets that are optional or\n");
        sb.Append("# required only by another setting); the core validates them just the same:\n");
        foreach (var def in SettingsSchema.All.Where(d => !d.InProjectFile))
            sb.Append(CultureInfo.InvariantCulture, $"#   {def.Name}{(def.Secret ? " (secret)" : "")}: {def.Description}\n");
        return sb.ToString();
    }

    private static string PulumiType(SettingType type) => type switch
    {
        SettingType.String => "string",
        SettingType.Integer => "integer",
        SettingType.Boolean => "boolean",
        SettingType.StringArray => "array",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Pulumi cannot declare this type"),
    };

    private static string Scalar(object value) => value switch
    {
        bool b => b ? "true" : "false",
        int i => i.ToString(CultureInfo.InvariantCulture),
        string s => Quote(s),
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    private static string Quote(string s) => JsonSerializer.Serialize(s, JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
