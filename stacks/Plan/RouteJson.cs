using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Platform.Stacks.Blueprint;

namespace Platform.Stacks.Plan;

/// <summary>
/// <c>plan --route … --format json</c>: one object per URL (per app server on a split stack), with the router that takes
/// the request, the path the app sees, a redirect and its status, the routers it shadows, or the problem.
/// </summary>
public static class RouteJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Render(IReadOnlyList<RouteAnswer> answers) =>
        JsonSerializer.Serialize(new { routes = answers }, Options) + "\n";
}
