using Platform.Stacks.Settings;

namespace Platform.Stacks.Parts.Storage;

/// <summary>Reads <c>minioConsoleHost</c> and <c>minioConsoleAllowCidrs</c>: MinIO's console, routed to admins only.</summary>
internal static class MinioConsoleSettingsReader
{
    /// <summary>The console's route, or null when <c>minioConsoleHost</c> is unset.</summary>
    public static MinioConsoleSettings? Read(StackValues v)
    {
        var r = v.R;
        var host = v.Str("minioConsoleHost").Trim().ToLowerInvariant();
        var cidrsKey = StackValues.Key("minioConsoleAllowCidrs");
        var cidrs = r.StringList(v.Raw("minioConsoleAllowCidrs"), cidrsKey);
        if (host.Length == 0)
        {
            if (!cidrs.IsEmpty)
                r.Error(cidrsKey, "is set but minioConsoleHost is not, so nothing uses it.", "Set minioConsoleHost (e.g. minio-admin), or remove minioConsoleAllowCidrs.");
            return null;
        }
        if (!Names.IsLabel(host))
            r.Error(StackValues.Key("minioConsoleHost"), $"'{host}' is not a subdomain label.", "Give one label under the stack's domain, e.g. minio-admin.");
        if (cidrs.IsEmpty)
            r.Error(cidrsKey, "is empty, so the console would be open to the internet (or to nobody).",
                "List the admin CIDRs allowed in, e.g. platform:minioConsoleAllowCidrs: [203.0.113.10/32].");
        return new MinioConsoleSettings(host, r.Cidrs(cidrs, cidrsKey, "203.0.113.10/32", "lets the whole internet in.", "List only admin CIDRs."));
    }
}
