using Platform.Stacks.Blueprint;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Edge;

/// <summary>
/// A stack with every kind of route next to each other: apex, www (redirecting to the apex), exact hosts, a wildcard
/// for tenants with a path of its own, a tenant's custom domain, paths and a nested path on one host.
/// </summary>
public static class EdgeStack
{
    public const string Apps = """
        - name: landing
          image: ghcr.io/example/landing:1.0.0
          port: 8080
          routes:
            - { host: "@", compress: true }
            - { host: www, redirect: apex }
          healthPath: /healthz
          cpus: 0.25
          memoryMb: 128
        - name: tenants
          image: ghcr.io/example/tenants:1.0.0
          port: 3000
          routes:
            - { host: "*" }
            - { host: "*", path: /socket.io, websockets: true }
            - { domain: shop.customer.com, rateLimit: { average: 10, burst: 20 } }
          healthPath: /healthz
          cpus: 0.5
          memoryMb: 256
        - name: api
          image: ghcr.io/example/api:1.0.0
          port: 8000
          routes:
            - host: api
              headers:
                cors: { origins: [https://app.example.com], methods: [GET, POST], headers: [Authorization, Content-Type], maxAgeSeconds: 300 }
            - { host: api, path: /v1/uploads, maxBodyMb: 100, rateLimit: { average: 2, burst: 4 } }
            - { host: app, path: /api }
            - { host: app, path: /face, stripPrefix: true }
          healthPath: /healthz
          rateLimit: { average: 50, burst: 100 }
          cpus: 0.5
          memoryMb: 256
        - name: admin
          image: ghcr.io/example/admin:1.0.0
          port: 4000
          routes:
            - { host: app, path: /api/admin, allowCidrs: [203.0.113.0/24], basicAuth: ADMIN_USERS }
          healthPath: /api/admin/healthz
          cpus: 0.25
          memoryMb: 128
        - name: web
          image: ghcr.io/example/web:1.0.0
          port: 3000
          routes:
            - { host: app, headers: { preset: minimal, frameDeny: true, contentSecurityPolicy: "default-src 'self'" } }
          healthPath: /health
          cpus: 0.25
          memoryMb: 128
        """;

    /// <summary>Custom domains need 80/443 open to everyone (HTTP-01, visitors not behind Cloudflare).</summary>
    public const string Extra = """
        platform:cloudflareOnlyIngress: false
        platform:minioConsoleHost: minio-admin
        platform:minioConsoleAllowCidrs: [198.51.100.0/28]
        platform:appSecrets:
          admin:
            ADMIN_USERS:
              secure: v1:abc
        """;

    public static string Yaml(string? apps = null, string? extra = null) => TestStacks.Yaml(apps ?? Apps, extra ?? Extra);

    public static PlatformBlueprint Blueprint() => TestStacks.Build(Yaml());
}
