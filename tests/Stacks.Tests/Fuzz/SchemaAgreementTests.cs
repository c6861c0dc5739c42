using Platform.Stacks.Settings;
using Platform.Stacks.Tests.Settings.Schema;
using Platform.Stacks.Tests.Support;

namespace Platform.Stacks.Tests.Fuzz;

/// <summary>
/// The schema and the reader agree: every mistake a schema can express is refused by both (targeted mutations of
/// the shipped and fixture stacks), and no stack the schema accepts is refused by the reader for such a mistake
/// (the random mutations of <see cref="StackMutator"/> and the tests' own broken stacks, the reader's errors sorted
/// by <see cref="ReaderRefusals"/>).
/// </summary>
public sealed class SchemaAgreementTests
{
    /// <summary>A stack with the nested settings the shipped stacks leave out (a route's headers and CORS, grants, registries, an upgrade, maintenance).</summary>
    private static readonly string Rich = TestStacks.Yaml(apps: """
        - name: api
          image: ghcr.io/example/api:1.0.0
          port: 8000
          routes:
            - host: app
              path: /api
              headers: { preset: secure, frameDeny: true, contentSecurityPolicy: "default-src 'self'", cors: { origins: [https://app.example.com], methods: [GET, POST], headers: [Authorization], credentials: true, maxAgeSeconds: 600 } }
              rateLimit: { average: 50, burst: 100 }
              basicAuth: ADMIN_USERS
              maxBodyMb: 20
              allowCidrs: [203.0.113.0/24]
          healthPath: /api/healthz
          cpus: 0.5
          memoryMb: 256
          needs: { database: { engine: postgres, connectionLimit: 10, statementTimeoutMs: 30000 }, redis: { maxMemoryMb: 32, evictionPolicy: noeviction }, buckets: [{ name: uploads, publicRead: false, grants: [{ app: web, access: read }] }] }
        - name: web
          image: ghcr.io/example/web:2.0.0
          port: 3000
          routes: [{ host: www, redirect: apex }, { host: "@" }]
          healthPath: /health
          cpus: 0.5
          memoryMb: 256
        """, extra: """
        platform:registries:
          - { name: ghcr, address: ghcr.io, username: deploy-bot }
        platform:registrySecrets:
          ghcr:
            secure: v1:abc
        platform:appSecrets:
          api:
            ADMIN_USERS:
              secure: v1:abc
        platform:maintenance: { apps: [web], retryAfterSeconds: 120, allowCidrs: [203.0.113.0/24] }
        platform:postgresImage: postgres:17.2-alpine
        platform:postgresUpgrade: { from: "16", to: "17", dataGb: 5 }
        platform:observability: { enabled: true, retentionDays: 10 }
        """);

    /// <summary>The scale stack with the optional cache and file servers.</summary>
    private static string SplitRoles => File.ReadAllText(Path.Combine(TestStacks.RepoRoot, "Pulumi.scale.yaml"))
        .Replace("      volumeGb: 100\n", "      volumeGb: 100\n    cache:\n      type: cx22\n      volumeGb: 20\n    files:\n      type: cx22\n", StringComparison.Ordinal);

    [Fact]
    public void The_extra_bases_are_valid_stacks()
    {
        Assert.Empty(StackSchema.ReaderErrors(Rich));
        Assert.Empty(StackSchema.ReaderErrors(SplitRoles, "scale"));
    }

    private static IEnumerable<(string Source, string Text)> Bases()
    {
        yield return ("rich", Rich);
        yield return ("Pulumi.scale.yaml with cache and files", SplitRoles);
        foreach (var stack in TestStacks.ShippedStackList)
            yield return (StackFiles.StackFile(stack), File.ReadAllText(Path.Combine(TestStacks.RepoRoot, StackFiles.StackFile(stack))));
        foreach (var f in FixtureStacks.Candidates)
        {
            bool ok;
            try { ok = StackSchema.ReaderAccepts(f.Text); }
            catch (YamlDotNet.Core.YamlException) { continue; }
            if (ok) yield return (f.Source, f.Text);
        }
    }

    [Fact]
    public void Reader_and_schema_both_refuse_every_targeted_mistake()
    {
        var tried = new HashSet<(string, string)>();
        var keysChecked = 0;
        var findings = new List<string>();
        foreach (var (source, text) in Bases())
        {
            var stack = source.StartsWith("Pulumi.", StringComparison.Ordinal) ? source["Pulumi.".Length..source.IndexOf(".yaml", StringComparison.Ordinal)] : "staging";
            foreach (var m in SchemaMutations.For(text))
            {
                if (!tried.Add((m.Shape, m.Kind))) continue;
                var errors = StackSchema.ReaderErrors(m.StackText, stack);
                if (!m.Wrong)
                {
                    // A value the schema allows: the reader may not refuse this key for a reason the schema states.
                    foreach (var e in errors.Where(e => e.Key == m.Path && ReaderRefusals.SchemaCanExpress(e)))
                        findings.Add($"{m.Kind} at {m.Path} ({source}): the schema allows it, the reader refuses it: {e}");
                    continue;
                }
                if (m.InsertInstead is { } insert)
                {
                    // Every key the reader knows in this mapping (its fix lists them all for a name this long) is one the
                    // schema allows here, or one the reader refuses all the same (an alert channel's secret in plain text).
                    var listed = errors.FirstOrDefault(e => e.Key == m.Path)?.Fix;
                    const string prefix = "Remove it; known keys are: ";
                    if (listed is null || !listed.StartsWith(prefix, StringComparison.Ordinal))
                        findings.Add($"{m.Path} ({source}): the reader does not list its keys: {listed}");
                    else
                    {
                        var readerKeys = listed[prefix.Length..].TrimEnd('.').Split(", ");
                        foreach (var known in readerKeys.Where(k => !m.AllowedKeys.Contains(k)))
                        {
                            keysChecked++;
                            if (StackSchema.ReaderErrors(insert(known), stack).Count == 0)
                                findings.Add($"{m.Path} ({source}): the reader takes the key '{known}', the schema does not know it");
                        }
                        foreach (var allowed in m.AllowedKeys.Where(k => !readerKeys.Contains(k)))
                            findings.Add($"{m.Path} ({source}): the schema allows the key '{allowed}', the reader does not know it");
                        keysChecked += m.AllowedKeys.Count;
                    }
                }
                var readerRefuses = errors.Count > 0;
                var schemaRefuses = StackSchema.Problems(m.StackText).Count > 0;
                if (!readerRefuses) findings.Add($"{m.Kind} at {m.Path} ({source}): the reader accepts it, the schema {(schemaRefuses ? "refuses it (too strict)" : "too")}");
                else if (!schemaRefuses) findings.Add($"{m.Kind} at {m.Path} ({source}): the reader refuses it, the schema accepts it");
            }
        }
        Assert.True(findings.Count == 0, $"{findings.Count} of {tried.Count} targeted mistakes ({keysChecked} keys compared) disagree:\n{string.Join("\n", findings)}");
        // Not hollow: every kind of mistake, over most of the keys.
        var mappings = tried.Where(t => t.Item2 == "unknown key").Select(t => t.Item1).Order(StringComparer.Ordinal).ToList();
        Assert.True(tried.Count >= 500 && keysChecked >= 170 && mappings.Count >= 28,
            $"only {tried.Count} targeted mistakes, {keysChecked} keys compared, in {mappings.Count} mappings: {string.Join(", ", mappings)}");
        foreach (var kind in new[] { "wrong type", "not in enum", "below minimum", "above maximum", "missing required", "unknown key", "empty list", "secret in plain text", "healthPath with healthCommand", "key of another kind", "at minimum", "at maximum" })
            Assert.Contains(tried, t => t.Item2 == kind);
    }

    [Fact]
    public void The_schema_accepts_no_stack_the_reader_refuses_for_a_reason_it_can_express()
    {
        var cases = new List<(string Source, string Stack, string Text)>();
        var project = StackSchema.ProjectText;
        var stacks = StackFuzzer.Stacks.ToDictionary(s => s, s => File.ReadAllText(Path.Combine(TestStacks.RepoRoot, StackFiles.StackFile(s))));
        for (var seed = 1; seed <= 400; seed++)
        {
            var stack = StackFuzzer.Stacks[seed % StackFuzzer.Stacks.Length];
            var mutated = new StackMutator(seed).Mutate(project, stacks[stack]);
            if (mutated.ProjectText == project) cases.Add(($"seed {seed}: {string.Join("; ", mutated.Mutations)}", stack, mutated.StackText));
        }
        cases.AddRange(FixtureStacks.Candidates.Select(f => (f.Source, "staging", f.Text)));

        int schemaAccepted = 0, readerRefused = 0;
        var findings = new List<string>();
        foreach (var (source, stack, text) in cases)
        {
            IReadOnlyList<SettingsError> errors;
            IReadOnlyList<string> problems;
            try
            {
                errors = StackSchema.ReaderErrors(text, stack);
                problems = StackSchema.Problems(text);
            }
            catch (Exception e) when (e is YamlDotNet.Core.YamlException or ArgumentException or InvalidOperationException)
            {
                continue; // not YAML, or a key twice: the editor's YAML parser flags it, not the schema
            }
            if (errors.Count == 0 || errors.Any(e => !e.Key.StartsWith("platform:", StringComparison.Ordinal))) continue;
            readerRefused++;
            if (problems.Count > 0) continue;
            schemaAccepted++;
            foreach (var e in errors.Where(ReaderRefusals.SchemaCanExpress))
                findings.Add($"{source}: {e}");
        }
        Assert.True(findings.Count == 0, $"The schema accepts stacks the reader refuses for a reason it can express:\n{string.Join("\n", findings.Take(40))}");
        // Not hollow: many refused stacks, and among them many the schema cannot tell from good ones (cross-field rules).
        Assert.True(readerRefused >= 300 && schemaAccepted >= 50, $"{readerRefused} refused by the reader, {schemaAccepted} of them accepted by the schema");
    }

    [Fact]
    public void The_classifier_tells_the_two_kinds_apart()
    {
        Assert.True(ReaderRefusals.SchemaCanExpress(new SettingsError("platform:apps[0].memoryMb", "is 8, out of range.", "")));
        Assert.True(ReaderRefusals.SchemaCanExpress(new SettingsError("platform:apps[0].zz", "is not a known setting.", "")));
        Assert.True(ReaderRefusals.SchemaCanExpress(new SettingsError("platform:environment", "is 'test'.", "")));
        Assert.False(ReaderRefusals.SchemaCanExpress(new SettingsError("platform:apps[0].cpus", "is 4, out of range.", "")));
        Assert.False(ReaderRefusals.SchemaCanExpress(new SettingsError("platform:apps[0].port", "is required because the app has routes.", "")));
        Assert.False(ReaderRefusals.SchemaCanExpress(new SettingsError("platform:apps[1].name", "'api' is listed twice.", "")));
    }
}
