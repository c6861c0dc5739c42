using System.Globalization;
using System.Text;

namespace Platform.Stacks.Settings;

/// <summary>
/// Writes a valid stack file with <c>apps</c> apps, for scale tests and benchmarks: every fourth app
/// has a database, every third Redis, every fifth a bucket; every app has a route. The server type is
/// the largest known, and app memory small, so the budget fits up to a few hundred apps; max_connections
/// is raised with the number of databases (20 connections each), so the connection budget fits too.
/// </summary>
public static class StackGenerator
{
    public static string Yaml(int apps)
    {
        var databases = (apps + 3) / 4;
        var maxConnections = Math.Max(1000, databases * 20 + 100);
        var sb = new StringBuilder();
        sb.Append("""
            config:
              platform:environment: prod
              platform:domain: example.com
              platform:acmeEmail: ops@example.com
              platform:serverType: ccx43
              platform:sshPublicKeys:
                - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGouyT2a3j6mgGBxk42nzpwUL8aAH0bfedysc58Pfyzn ops@example.com
              platform:adminCidrs: [203.0.113.0/24]
              platform:backupS3Endpoint: s3.example.net
              platform:backupS3Bucket: example-backups
              platform:postgresMaxConnections: MAX_CONNECTIONS
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

            """);
        sb.Replace("MAX_CONNECTIONS", maxConnections.ToString(CultureInfo.InvariantCulture));
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
                      memoryMb: 64

                """);
            var needs = new List<string>();
            if (i % 4 == 0) needs.Add("database: true");
            if (i % 3 == 0) needs.Add("redis: true");
            if (i % 5 == 0) needs.Add("buckets: [{ name: files }]");
            if (needs.Count > 0) sb.Append("      needs: { ").Append(string.Join(", ", needs)).Append(" }\n");
        }
        return sb.ToString();
    }
}
