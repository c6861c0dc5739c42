using System.Collections.Immutable;
using Platform.Stacks.Settings;
using YamlDotNet.RepresentationModel;

namespace Platform.Stacks.Parts.Storage;

/// <summary>Reads an app's <c>needs.buckets</c>: each bucket's name, public reads, chosen bucket name and the other apps' grants.</summary>
internal static class BucketNeedsReader
{
    public static System.Collections.Immutable.ImmutableArray<string> BucketKeys => Apps.AppSchema.Bucket.Keys;
    public static System.Collections.Immutable.ImmutableArray<string> GrantKeys => Apps.AppSchema.Grant.Keys;

    public static ImmutableArray<BucketNeed> Read(NodeReader r, YamlNode? node, string needsKey, string app)
    {
        var buckets = ImmutableArray.CreateBuilder<BucketNeed>();
        foreach (var (bucketNode, bk) in r.Sequence(node, $"{needsKey}.buckets", "Write each bucket as '- name: uploads' (optionally 'publicRead: true')."))
        {
            var bm = r.Mapping(bucketNode, bk, BucketKeys);
            var bucket = r.String(bm.GetValueOrDefault("name"), $"{bk}.name");
            if (!System.Text.RegularExpressions.Regex.IsMatch(bucket, "^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]$"))
                r.Error($"{bk}.name", $"'{bucket}' is not a valid bucket name.", "Use 3–32 lower-case letters, digits and hyphens; the bucket is created as <app>-<name>.");
            var publicRead = r.Flag(bm, "publicRead", bk);
            var grants = ImmutableArray.CreateBuilder<BucketGrant>();
            foreach (var (grantNode, gk) in r.Sequence(bm.GetValueOrDefault("grants"), $"{bk}.grants", "Write each grant as '- { app: shop-2, access: read }' (access: read or readwrite)."))
            {
                var gm = r.Mapping(grantNode, gk, GrantKeys);
                r.Required(gm, "app", gk, "Name the app that gets access, e.g. 'app: shop-2'.", out var grantee);
                var accessText = r.OptionalString(gm, "access", gk) ?? "";
                var access = accessText switch
                {
                    "read" => BucketAccess.Read,
                    "readwrite" => BucketAccess.ReadWrite,
                    _ => r.Fail($"{gk}.access", accessText.Length == 0 ? "is required." : $"is '{accessText}'.",
                        "Use read (get and list objects) or readwrite (also put and delete).", BucketAccess.Read),
                };
                grants.Add(new BucketGrant(grantee, access));
            }
            buckets.Add(new BucketNeed(bucket, publicRead)
                { Grants = grants.ToImmutable(), BucketName = BucketNames.ReadChosen(r, bm, $"{bk}.bucketName", app, bucket) });
        }
        return buckets.ToImmutable();
    }
}
