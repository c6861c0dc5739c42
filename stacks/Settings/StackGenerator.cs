using System.Globalization;
using System.Text;

namespace Platform.Stacks.Settings;

/// <summary>
/// Writes a valid stack file with <c>apps</c> apps, for scale tests and benchmarks: every fourth app
/// has a database, every third Redis (ten apps to an instance), every fifth a bucket; every app has a route. The server type is
/// the largest known, and app memory small (32 MB), so the budget fits up to about 1500 apps; max_connections
/// is raised with the number of databases (20 connections each), so the connection budget fits too.
/// </summary>
public static class StackGenerator
{
    public static string Yaml(int apps)
    {
        var databases = (apps + 3) / 4;
        var maxConnections = Math.Max(1000, databases * 20 + 100);
        var sb = new StringBuilder(Header("ccx43", $"platform:postgresMaxConnections: {maxConnections.ToString(CultureInfo.InvariantCulture)}"));
        for (var i = 0; i < apps; i++)
        {
            var name = $"app{i:D3}";
            sb.Append(CultureInfo.InvariantCulture, $$"""
                    - name: {{name}}
                      image: ghcr.io/example/{{name}}:1.{{i}}.0
                      port: 8080
                      routes: [{ host: {{name}} }]
                      healthPath: /healthz
                      cpus: 0.1
                      memoryMb: 32

                """);
            var needs = new List<string>();
            if (i % 4 == 0) needs.Add("database: true");
            // Every third app uses Redis: every thirtieth has its own small instance, the others in its ten share it.
            if (i % 30 == 0) needs.Add("redis: { maxMemoryMb: 16 }");
            else if (i % 3 == 0) needs.Add($"redisOf: app{i - i % 30:D3}");
            if (i % 5 == 0) needs.Add("buckets: [{ name: files }]");
            if (needs.Count > 0) sb.Append("      needs: { ").Append(string.Join(", ", needs)).Append(" }\n");
        }
        return sb.ToString();
    }

    /// <summary>
    /// Writes a valid stack of <paramref name="stores"/> tenant stores of one WordPress/WooCommerce image: each with
    /// its own MariaDB database and user (named store_NN, not after the app), its own wp-content volume, its
    /// WORDPRESS_DB_* variables mapped from the platform's values, and its own host. No store talks to another.
    /// </summary>
    public static string TenantStores(int stores, string serverType = "ccx33")
    {
        var sb = new StringBuilder(Header(serverType, $"platform:mariadbMaxConnections: {Math.Max(100, stores * 10 + 20).ToString(CultureInfo.InvariantCulture)}"));
        for (var i = 1; i <= stores; i++)
        {
            var n = i.ToString("D2", CultureInfo.InvariantCulture);
            sb.Append(CultureInfo.InvariantCulture, $$"""
                    - name: shop-{{n}}
                      image: wordpress:6.8.1-php8.3-apache
                      port: 80
                      routes: [{ host: shop-{{n}} }]
                      healthPath: /wp-includes/images/blank.gif
                      cpus: 0.5
                      memoryMb: 256
                      volumes: [{ name: wp-content, mountPath: /var/www/html/wp-content, sizeGb: 10 }]
                      env:
                        WORDPRESS_DB_HOST: "${database.host}:${database.port}"
                        WORDPRESS_DB_NAME: "${database.name}"
                        WORDPRESS_DB_USER: "${database.user}"
                        WORDPRESS_DB_PASSWORD: "${database.password}"
                      needs:
                        database: { engine: mariadb, name: store_{{n}}, role: store_{{n}}, connectionLimit: 10 }

                """);
        }
        return sb.ToString();
    }

    /// <summary>The settings every generated stack shares (a prod stack on <paramref name="serverType"/>), one extra setting, and the apps' key.</summary>
    private static string Header(string serverType, string extraSetting) => $$"""
        config:
          platform:environment: prod
          platform:domain: example.com
          platform:acmeEmail: ops@example.com
          platform:serverType: {{serverType}}
          platform:sshPublicKeys:
            - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGouyT2a3j6mgGBxk42nzpwUL8aAH0bfedysc58Pfyzn ops@example.com
          platform:adminCidrs: [203.0.113.0/24]
          platform:backupS3Endpoint: s3.example.net
          platform:backupS3Bucket: example-backups
          {{extraSetting}}
          platform:cloudflareApiToken:
            secure: v1:generated
          platform:backupS3AccessKeyId:
            secure: v1:generated
          platform:backupS3SecretAccessKey:
            secure: v1:generated
          platform:backupEncryptionPassphrase:
            secure: v1:generated
          platform:alertWebhookUrl:
            secure: v1:generated
          platform:apps:

        """;
}
