using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Tests.Support;

/// <summary>Stack files for tests: the shipped ones, and small ones written inline.</summary>
public static class TestStacks
{
    public static string RepoRoot { get; } = StackFiles.FindProjectDirectory(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException("Pulumi.yaml not found above the test's directory.");

    /// <summary>Every stack file shipped in the repository (Pulumi.&lt;stack&gt;.yaml), sorted.</summary>
    public static IReadOnlyList<string> ShippedStackList => [.. Directory.GetFiles(RepoRoot, "Pulumi.*.yaml")
        .Select(f => Path.GetFileName(f)["Pulumi.".Length..^".yaml".Length]).Order(StringComparer.Ordinal)];

    public static TheoryData<string> ShippedStackNames => new(ShippedStackList);

    public static StackSettings Shipped(string stack) => SettingsReader.Load(RepoRoot, stack);

    public static PlatformBlueprint ShippedBlueprint(string stack) => BlueprintBuilder.Build(Shipped(stack));

    public const string Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGouyT2a3j6mgGBxk42nzpwUL8aAH0bfedysc58Pfyzn alice@example.com";

    /// <summary>A valid staging stack with one app; <paramref name="apps"/> replaces the apps block, <paramref name="extra"/> adds config lines.</summary>
    public static string Yaml(string? apps = null, string extra = "", string environment = "staging") => $"""
        config:
          platform:environment: {environment}
          platform:domain: example.com
          platform:acmeEmail: ops@example.com
          platform:serverType: cx42
          platform:sshPublicKeys:
            - {Key}
          platform:adminCidrs: [203.0.113.0/24]
          platform:backupS3Endpoint: s3.example.net
          platform:backupS3Bucket: example-backups
          platform:cloudflareApiToken:
            secure: v1:abc
          platform:backupS3AccessKeyId:
            secure: v1:abc
          platform:backupS3SecretAccessKey:
            secure: v1:abc
          platform:backupEncryptionPassphrase:
            secure: v1:abc
          platform:alertWebhookUrl:
            secure: v1:abc
        {Indent(extra)}
          platform:apps:
        {Indent(apps ?? DefaultApps, 4)}
        """;

    public const string DefaultApps = """
        - name: api
          image: ghcr.io/example/api:1.0.0
          port: 8000
          routes: [{ host: app, path: /api, websockets: true }]
          healthPath: /api/healthz
          cpus: 0.5
          memoryMb: 256
          needs: { database: true, redis: true, buckets: [{ name: uploads }] }
        - name: web
          image: ghcr.io/example/web:2.0.0
          port: 3000
          routes: [{ host: app }, { host: "@" }]
          healthPath: /health
          cpus: 0.5
          memoryMb: 256
          instances: 2
        - name: worker
          image: ghcr.io/example/api:1.0.0
          healthCommand: [CMD, worker, --check]
          cpus: 0.5
          memoryMb: 128
          needs: { databaseOf: api }
        """;

    private static string Indent(string text, int spaces = 2)
    {
        var pad = new string(' ', spaces);
        return string.Join("\n", text.Split('\n').Select(l => l.Length == 0 ? l : pad + l));
    }

    public static (StackSettings? Settings, IReadOnlyList<SettingsError> Errors) TryRead(string yaml, string stack = "test") =>
        SettingsReader.TryRead(StackFiles.Parse("platform", stack, yaml));

    public static StackSettings Read(string yaml, string stack = "test") => SettingsReader.Read(StackFiles.Parse("platform", stack, yaml));

    public static PlatformBlueprint Build(string yaml) => BlueprintBuilder.Build(Read(yaml));

    public static IReadOnlyList<SettingsError> Errors(string yaml) => TryRead(yaml).Errors;
}

/// <summary>Finds the versioned Traefik name (logical name plus configuration hash) in a container's labels.</summary>
public static class TraefikNames
{
    public static string Of(IReadOnlyDictionary<string, string> labels, string kind, string logical)
    {
        var prefix = $"traefik.http.{kind}.{logical}-";
        var names = labels.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Select(k => k.Split('.')[3]).Distinct().ToList();
        return Assert.Single(names, n => n.Length == logical.Length + 1 + Platform.Stacks.Blueprint.Routing.ConfigHashLength);
    }
}
