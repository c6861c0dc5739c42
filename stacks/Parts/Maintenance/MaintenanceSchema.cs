using Platform.Stacks.Settings;
using static Platform.Stacks.Settings.Field;

namespace Platform.Stacks.Parts.Maintenance;

/// <summary>The keys of <c>platform:maintenance</c>.</summary>
public static class MaintenanceSchema
{
    public static readonly ObjectDef Maintenance = new("maintenance", "Maintenance mode: the listed apps answer 503 except to allowCidrs.",
    [
        List("apps", "Apps in maintenance (names, or \"*\" for every app); empty: off."),
        Int("retryAfterSeconds", "The 503's Retry-After.", 1, 86_400, 300),
        Str("pageUrl", "An http(s) page served as the 503's body. Default: Traefik's text."),
        List("allowCidrs", "Client CIDRs that still reach the apps (not empty while apps are). Default: platform:adminCidrs."),
    ]);
}
