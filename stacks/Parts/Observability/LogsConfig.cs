using System.Globalization;
using System.Text;

namespace Platform.Stacks.Parts.Observability;

/// <summary>Loki (storage, retention) and the Alloy collector (every container's log, labelled) configurations.</summary>
public static class LogsConfig
{
    /// <summary>
    /// Loki 3 as one process: filesystem chunks and TSDB index on its volume, the v13 schema, and retention enforced
    /// by the compactor (which deletes chunks older than <paramref name="retentionDays"/>).
    /// </summary>
    public static string Loki(int retentionDays)
    {
        var hours = (retentionDays * 24).ToString(CultureInfo.InvariantCulture) + "h";
        return $"""
            auth_enabled: false
            server:
              http_listen_port: {ObservabilityNames.LokiPort}
              log_level: warn
            common:
              path_prefix: /loki
              replication_factor: 1
              ring:
                kvstore:
                  store: inmemory
              storage:
                filesystem:
                  chunks_directory: /loki/chunks
                  rules_directory: /loki/rules
            schema_config:
              configs:
                - from: "2024-01-01"
                  store: tsdb
                  object_store: filesystem
                  schema: v13
                  index:
                    prefix: index_
                    period: 24h
            limits_config:
              retention_period: {hours}
              reject_old_samples: true
              reject_old_samples_max_age: 168h
            compactor:
              working_directory: /loki/compactor
              retention_enabled: true
              delete_request_store: filesystem
            analytics:
              reporting_enabled: false

            """;
    }

    /// <summary>
    /// The collector of one server: it lists the server's containers through the read-only Docker API proxy, labels each
    /// stream with stack and server (fixed) and part, app and instance (from the container's platform labels), and pushes
    /// to Loki (by name on the storage server, by its private address elsewhere).
    /// </summary>
    public static string Alloy(string stack, string server, string dockerHost, string lokiUrl)
    {
        var b = new StringBuilder();
        b.Append($"discovery.docker \"containers\" {{\n  host = {S(dockerHost)}\n}}\n\n");
        b.Append("discovery.relabel \"containers\" {\n  targets = []\n");
        void Rule(string source, string target) =>
            b.Append($"  rule {{\n    source_labels = [{S(source)}]\n    target_label  = {S(target)}\n  }}\n");
        Rule("__meta_docker_container_label_" + Sanitize(ObservabilityNames.PartLabel), "part");
        Rule("__meta_docker_container_label_" + Sanitize(ObservabilityNames.AppLabel), "app");
        Rule("__meta_docker_container_label_" + Sanitize(ObservabilityNames.InstanceLabel), "instance");
        b.Append("  rule {\n    source_labels = [\"__meta_docker_container_name\"]\n    regex         = \"/(.*)\"\n    target_label  = \"container\"\n  }\n");
        b.Append("}\n\n");
        b.Append("loki.source.docker \"containers\" {\n");
        b.Append($"  host          = {S(dockerHost)}\n");
        b.Append("  targets       = discovery.docker.containers.targets\n");
        b.Append("  relabel_rules = discovery.relabel.containers.rules\n");
        b.Append("  forward_to    = [loki.write.platform.receiver]\n}\n\n");
        b.Append("loki.write \"platform\" {\n");
        b.Append($"  endpoint {{\n    url = {S(lokiUrl)}\n  }}\n");
        b.Append($"  external_labels = {{\n    stack  = {S(stack)},\n    server = {S(server)},\n  }}\n}}\n");
        return b.ToString();
    }

    /// <summary>How Docker service discovery turns a label name into a meta label (every character outside [a-zA-Z0-9_] becomes '_').</summary>
    public static string Sanitize(string label) => new([.. label.Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_')]);

    private static string S(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
