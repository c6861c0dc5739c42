using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Model;
using Platform.Stacks.Settings;
using static Platform.Stacks.Blueprint.BuildKit;

namespace Platform.Stacks.Parts.Storage;

/// <summary>
/// The object-storage part on the stack: MinIO behind the files host, the app buckets with one user and policy per app,
/// and their provisioning inside the container.
/// </summary>
public static class MinioBlueprint
{
    public const int ConsolePort = 9001;
    public const string ConsoleRouter = "minio-console";


    /// <summary>
    /// MinIO's path prefixes that are not S3 and must not be public on the files host: the admin API
    /// (<c>cmd/admin-router.go</c>, <c>adminPathPrefix = minioReservedBucketPath + "/admin"</c>: users, policies, config,
    /// service restart) and the KMS API (<c>cmd/kms-router.go</c>, <c>kmsPathPrefix</c> <c>/minio/kms</c>). Both need the
    /// root credentials, but nothing outside the platform needs to try them: the operators use <c>mc</c> inside the container.
    /// </summary>
    public static readonly ImmutableArray<string> RefusedPrefixes = ["/minio/admin", "/minio/kms"];

    /// <summary>The Traefik service of the refusing routers (never reached: their allowlist admits no client).</summary>
    public const string RefusedService = "minio-refused";

    /// <summary>The files host's routers for MinIO's admin and KMS paths, each admitting no client (403), above the files route.</summary>
    public static ImmutableArray<RouteSpec> RefusedRoutes(StackSettings s) =>
        [.. RefusedPrefixes.Select(prefix => new RouteSpec($"{RefusedService}-{prefix.Split('/')[^1]}", Routing.Fqdn(ServiceNames.FilesHost, s.Domain),
            ServiceNames.FilesHost, prefix, false) { AllowCidrs = Parts.Observability.ObservabilityNames.NoClient })];

    /// <summary>MinIO's root user (not a secret) and the file in its container that holds the root password.</summary>
    public const string RootUser = "platform-admin";
    public const string RootPasswordFile = "/run/secrets/minio-root-password";

    /// <summary>The MinIO container: S3 behind the files host (MinIO's admin and KMS paths refused there), the console only when routed.</summary>
    internal static ServiceSpec Service(StackSettings s)
    {
        var files = new RouteSpec(ServiceNames.Minio, Routing.Fqdn(ServiceNames.FilesHost, s.Domain), ServiceNames.FilesHost, null, false);
        var labels = Routing.Labels(ServiceNames.Minio, AppEnvironment.MinioPort, [files], s.Domain, "/minio/health/live", s.CloudflareOnlyIngress, sticky: false)
            .SetItems(Routing.Labels(RefusedService, AppEnvironment.MinioPort, RefusedRoutes(s), s.Domain, null, s.CloudflareOnlyIngress, sticky: false));
        if (s.MinioConsole is { } console)
        {
            // A second Traefik service on the same container: the console, on its own host, to the admin CIDRs only.
            var route = new RouteSpec(ConsoleRouter, Routing.Fqdn(console.Host, s.Domain), console.Host, null, false) { AllowCidrs = console.AllowCidrs };
            labels = labels.SetItems(Routing.Labels(ConsoleRouter, ConsolePort, [route], s.Domain, null, s.CloudflareOnlyIngress, sticky: false));
        }
        return Singleton(PartId.ObjectStorage, ServiceNames.Minio, ServiceKind.Data, s.Minio,
            [On(ServiceNames.DataNetwork, ServiceNames.Minio), On(ServiceNames.EdgeNetwork, ServiceNames.Minio)],
            ["CMD", "mc", "ready", "local"]) with
        {
            // The console listens only when it is routed (MINIO_BROWSER=off starts no console server: cmd/server-main.go,
            // `if globalBrowserEnabled { initConsoleServer() … }`), so nothing on the data networks reaches it otherwise.
            Command = s.MinioConsole is null ? ["server", "/data"] : ["server", "/data", "--console-address", $":{ConsolePort}"],
            Env = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, SecretText>
            {
                ["MINIO_ROOT_USER"] = SecretText.Plain(RootUser),
                // A file, so an inspect shows no password: MinIO reads MINIO_ROOT_PASSWORD_FILE at start (cmd/common-main.go,
                // loadEnvVarsFromFiles; an absolute path is read as is) and refuses to start when the file is missing or empty
                // (a root user without password is "Missing credential environment variable"), never falling back to defaults.
                ["MINIO_ROOT_PASSWORD_FILE"] = SecretText.Plain(RootPasswordFile),
                // Presigned URLs must carry the public host, or clients get signature errors.
                ["MINIO_SERVER_URL"] = SecretText.Plain($"https://{files.Fqdn}"),
                ["MINIO_BROWSER"] = SecretText.Plain(s.MinioConsole is null ? "off" : "on"),
            }),
            InternalPorts = s.MinioConsole is null ? [AppEnvironment.MinioPort] : [AppEnvironment.MinioPort, ConsolePort],
            Mounts = [new MountSpec(MountKind.Volume, DataVolume, "/data", ReadOnly: false)],
            Files = [new FileSpec(RootPasswordFile, SecretText.Of(new SecretPart(SecretNames.MinioRoot)))],
            Labels = labels,
        };
    }

    /// <summary>
    /// Each MinIO user's policy statements (JSON), by app: on its own buckets, listing and every object operation
    /// (multipart uploads included) but nothing on the bucket itself — no policy, lifecycle, versioning, lock or deletion,
    /// so an app cannot make its bucket public or drop it (the platform sets public reads with its own account); on a
    /// bucket granted to it, listing and reading objects, and for readwrite also putting and deleting them.
    /// </summary>
    public static readonly ImmutableArray<string> OwnBucketActions = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"];

    public static readonly ImmutableArray<string> OwnObjectActions =
        ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"];

    public static ImmutableSortedDictionary<string, ImmutableArray<string>> Policies(IEnumerable<BucketSpec> buckets)
    {
        static string Statement(IEnumerable<string> actions, IEnumerable<string> resources) =>
            $"{{\"Effect\":\"Allow\",\"Action\":[{string.Join(",", actions.Select(a => $"\"{a}\""))}],\"Resource\":[{string.Join(",", resources.Select(r => $"\"arn:aws:s3:::{r}\""))}]}}";
        var users = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        List<string> Of(string user) => users.TryGetValue(user, out var list) ? list : users[user] = [];
        foreach (var owner in buckets.GroupBy(x => x.App))
        {
            var own = owner.OrderBy(x => x.Name, StringComparer.Ordinal).ToList();
            Of(owner.Key).Add(Statement(OwnBucketActions, own.Select(x => x.Name)));
            Of(owner.Key).Add(Statement(OwnObjectActions, own.Select(x => $"{x.Name}/*")));
        }
        foreach (var bucket in buckets.OrderBy(x => x.Name, StringComparer.Ordinal))
        {
            foreach (var grant in bucket.Grants)
            {
                Of(grant.App).Add(Statement(["s3:GetBucketLocation", "s3:ListBucket"], [bucket.Name]));
                Of(grant.App).Add(Statement(grant.Access == BucketAccess.ReadWrite ? ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"] : ["s3:GetObject"], [$"{bucket.Name}/*"]));
            }
        }
        return ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, users.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.ToImmutableArray())));
    }

    /// <summary>Buckets, per-app users and policies in MinIO, created or updated by a script run inside the MinIO container.</summary>
    internal static HostCommandSpec Provision(ImmutableArray<BucketSpec> buckets)
    {
        var b = new SecretTextBuilder();
        b.Line("set -eu");
        // No secret on a command line (any user of the server can list them): the alias comes from MC_HOST_local, set by
        // this shell from the root password file; each app user's secret key reaches mc on its stdin (mc admin user add
        // with two arguments reads the secret key from a non-terminal stdin: cmd/admin-user-add.go, fetchUserKeys).
        b.Line($"MC_HOST_local=\"http://$MINIO_ROOT_USER:$(cat {RootPasswordFile})@127.0.0.1:9000\"");
        b.Line("export MC_HOST_local");
        foreach (var bucket in buckets)
        {
            b.Line($"mc mb --ignore-existing local/{bucket.Name}");
            b.Line($"mc anonymous set {(bucket.PublicRead ? "download" : "none")} local/{bucket.Name}");
        }
        foreach (var (user, statements) in Policies(buckets))
        {
            var policy = Identities.MinioPolicy(user);
            var minioUser = Identities.MinioUser(user);
            b.Line($"printf '%s' '{{\"Version\":\"2012-10-17\",\"Statement\":[{string.Join(",", statements)}]}}' > /tmp/{policy}.json");
            b.Line($"mc admin policy create local {policy} /tmp/{policy}.json");
            // Adding an existing user sets its secret key: rotation is a re-run.
            b.Line($"mc admin user add local {minioUser} >/dev/null <<'PLATFORM_SECRET'").Secret(SecretNames.Minio(user)).Line().Line("PLATFORM_SECRET");
            b.Line($"mc admin policy attach local {policy} --user {minioUser} >/dev/null 2>&1 || mc admin user info local {minioUser} | grep -q {policy}");
            b.Line($"rm -f /tmp/{policy}.json");
        }
        return new HostCommandSpec(HostCommandNames.MinioProvision,
            "creates buckets (public-read only where asked), one MinIO user per app limited to its own buckets and those granted to it; idempotent, never deletes",
            $"docker exec -i {ServiceNames.Minio} sh -s", b.Build(), [ServiceNames.Minio]) { Part = PartId.ObjectStorage };
    }

    /// <summary>Every app bucket (<see cref="BucketNames"/>), with the apps it is granted to, sorted by name.</summary>
    internal static ImmutableArray<BucketSpec> Buckets(StackSettings s) =>
        s.Apps.SelectMany(a => a.Buckets.Select(b => new BucketSpec(b.FullName(a.Name), a.Name, b.PublicRead)
            { Grants = [.. b.Grants.OrderBy(g => g.App, StringComparer.Ordinal)], ChosenFor = b.BucketName is null ? null : b.Name }))
            .OrderBy(b => b.Name, StringComparer.Ordinal).ToImmutableArray();

    /// <summary>The root user's secret and each app's access to its buckets and those granted to it.</summary>
    internal static IEnumerable<SecretSpec> Secrets(StackSettings s) =>
    [
        Generated(SecretNames.MinioRoot, "MinIO root user"),
        .. s.Apps.Where(a => a.UsesObjectStorage(s)).Select(app => Generated(SecretNames.Minio(app.Name), $"MinIO access for {app.Name}'s buckets and those granted to it")),
    ];

    /// <summary>MinIO's data volume.</summary>
    internal static VolumeSpec Volume(StackSettings s) =>
        new(DataVolume, ServiceNames.Minio, "MinIO objects", s.IsProd) { Part = PartId.ObjectStorage, Durable = true };

    /// <summary>MinIO's data volume's name.</summary>
    public const string DataVolume = "minio-data";
}
