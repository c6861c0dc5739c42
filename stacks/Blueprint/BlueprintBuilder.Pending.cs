using System.Collections.Immutable;
using Platform.Stacks.Catalog;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Blueprint;

// Wiring points for the data-tier and operations renderers (replaced as they land).
public static partial class BlueprintBuilder
{


    private static IEnumerable<ServiceSpec> OperationsServices(StackSettings s, ImmutableArray<DatabaseSpec> databases, ImmutableArray<BucketSpec> buckets) => [];


    private static IEnumerable<KeyValuePair<string, string>> MonitorLabels(StackSettings s, AppSettings app) => [];

    private static IEnumerable<KeyValuePair<string, string>> PlatformMonitorLabels(StackSettings s, string service) => [];
}
