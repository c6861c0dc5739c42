namespace Platform.Infra.Tests.Support;

/// <summary>Pulumi's test deployment and its config (PULUMI_CONFIG) are process-wide: these tests run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PulumiCollection
{
    public const string Name = "Pulumi deployment (process-wide config)";
}
