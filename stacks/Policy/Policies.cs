using System.Collections.Immutable;
using Platform.Stacks.Blueprint;
using Platform.Stacks.Settings;

namespace Platform.Stacks.Policy;

/// <summary>A broken rule: which rule, what broke it, and how to fix it.</summary>
public sealed record PolicyViolation(string Rule, string Subject, string Problem, string Fix)
{
    public override string ToString() => $"[{Rule}] {Subject}: {Problem} Fix: {Fix}";
}

/// <summary>One rule every stack's blueprint must keep: an id, why it exists, and the check.</summary>
public sealed record PolicyRule(string Id, string Reason, Func<PlatformBlueprint, IEnumerable<PolicyViolation>> Check);

/// <summary>
/// The platform's rules as code, checked on every stack's blueprint by <c>plan</c> (which exits
/// non-zero on a violation) and by tests. Settings validation stops most bad input earlier; these
/// rules guard the blueprint itself, so a change in the core cannot quietly break them either.
/// </summary>
public static class Policies
{
    public static readonly ImmutableArray<PolicyRule> All =
    [
        new("only-traefik-publishes-ports", "Every published port bypasses the proxy, TLS and the firewall's intent; only the edge proxy may listen on a public interface, and a split stack's data ports only on the private network.",
            b => b.Services.Where(s => !IsTraefik(s) && s.PublishedPorts.Any(p => p.HostIp != b.ServerOf(s.Host).PrivateIp))
                .Select(s => new PolicyViolation("only-traefik-publishes-ports", s.Name, $"publishes {string.Join(", ", s.PublishedPorts.Select(p => p.HostPort))} on a public interface of the host.",
                    b.IsSplit ? "Publish it on the server's private address only." : "Route it through Traefik with a host name instead of publishing a port."))),

        new("ssh-only-from-admin-cidrs", "SSH open to the internet invites brute force and exploits of sshd.",
            b => b.Firewalls.SelectMany(f => f.Rules.Where(r => r.Port == "22" && r.SourceIps.Any(ip => ip is "0.0.0.0/0" or "::/0"))
                .Select(r => new PolicyViolation("ssh-only-from-admin-cidrs", f.Name, "allows SSH from anywhere.", "List only office/VPN CIDRs in platform:adminCidrs.")))),

        new("data-server-closed", "A split stack's data server holds every database: nothing of it may face the internet but SSH from the admin CIDRs.",
            b => b.Firewalls.Where(f => f.ResourceName == "firewall-data").SelectMany(f => f.Rules.Where(r => r.Port is not null && r.Port != "22"))
                .Select(r => new PolicyViolation("data-server-closed", r.Description, $"opens {r.Protocol}/{r.Port} on the data server.", "Remove the rule; the app servers reach the data server over the private network."))),

        new("pinned-images", "A moving tag deploys code nobody reviewed and cannot be rolled back to.",
            b => b.Services.Where(s => Names.ImageProblem(s.Image) is not null)
                .Select(s => new PolicyViolation("pinned-images", s.Name, $"image {Names.ImageProblem(s.Image)}", "Pin a version tag or a digest."))),

        new("container-hygiene", "Without limits one container can starve the host; without a health check, restart policy and log rotation, failures go unnoticed or fill the disk.",
            b => b.Services.SelectMany(ContainerHygiene)),

        new("containers-hardened", "A compromised process keeps only what its image needs: every capability dropped but those its part names with a reason, no privilege gained through setuid binaries, and a read-only root unless the part says why not.",
            b => b.Services.SelectMany(Hardened)),

        new("public-hosts-complete", "A public host needs a DNS record, a TLS route and a monitor, or it is unreachable, insecure or unwatched.",
            PublicHostsComplete),

        new("databases-backed-up", "A database without a backup is lost with the server.",
            b => b.Backups.IsEmpty
                ? []
                : b.Databases.Where(d => !b.Backups.Any(j => j.What.Contains(d.Database, StringComparison.Ordinal)))
                    .Select(d => new PolicyViolation("databases-backed-up", d.Database, "is in no backup job.", $"Add it to the {(d.Engine == DatabaseEngine.MariaDb ? "MariaDB" : "PostgreSQL")} backup jobs."))),

        new("prod-protected-and-backed-up", "Production data must survive a mistaken `pulumi destroy` and the loss of the server.",
            b => !b.IsProd ? [] : ProdProtection(b)),

        new("no-docker-socket-with-egress", "The Docker API is root on the server, read-only mount or not; a container that can also reach the internet hands that root to whoever compromises it.",
            DockerSocketWithEgress),

        new("no-plain-secrets", "A secret in plain config lands in git history and every log.",
            b => b.Services.SelectMany(s => s.Env.Where(e => !e.Value.IsSecret && LooksSecret(e.Key) && e.Value.Masked.Length > 0)
                .Select(e => new PolicyViolation("no-plain-secrets", $"{s.Name} env {e.Key}", "holds a plain value for a secret-looking name.", "Move it to secretEnv (a Pulumi secret)."))))
    ];

    public static ImmutableArray<PolicyViolation> Check(PlatformBlueprint blueprint) =>
        [.. All.SelectMany(rule => rule.Check(blueprint)).OrderBy(v => v.Rule, StringComparer.Ordinal).ThenBy(v => v.Subject, StringComparer.Ordinal)];

    private static IEnumerable<PolicyViolation> ContainerHygiene(ServiceSpec s)
    {
        const string id = "container-hygiene";
        if (s.Limits.MemoryMb <= 0) yield return new(id, s.Name, "has no memory limit.", "Set its memoryMb.");
        if (s.Limits.Cpus <= 0) yield return new(id, s.Name, "has no CPU limit.", "Set its cpus.");
        if (s.HealthCheck.Test.IsEmpty) yield return new(id, s.Name, "has no health check.", "Give it healthPath or healthCommand.");
        if (!s.OneShot && s.StartOnDeploy && s.RestartPolicy is not ("unless-stopped" or "always" or "on-failure")) yield return new(id, s.Name, $"restart policy is '{s.RestartPolicy}'.", "Use unless-stopped.");
        if (s.Log.Driver == "json-file" && (!s.Log.Options.ContainsKey("max-size") || !s.Log.Options.ContainsKey("max-file")))
            yield return new(id, s.Name, "logs without rotation.", "Set max-size and max-file log options.");
    }

    private static IEnumerable<PolicyViolation> Hardened(ServiceSpec s)
    {
        const string id = "containers-hardened";
        const string fix = "Give the container a profile in Parts/Hardening/ContainerHardening.cs.";
        if (!s.CapDrop.Contains("ALL")) yield return new(id, s.Name, "keeps Docker's default capabilities.", $"Drop ALL and add back only what the image needs, with the reason. {fix}");
        else if (!s.CapAdd.IsEmpty && string.IsNullOrWhiteSpace(s.CapabilitiesWhy))
            yield return new(id, s.Name, $"adds back {string.Join(", ", s.CapAdd)} without a reason.", $"State why the image needs them. {fix}");
        if (!s.NoNewPrivileges) yield return new(id, s.Name, "may gain privileges through setuid binaries.", $"Set no-new-privileges. {fix}");
        if (!s.ReadOnlyRootFilesystem && string.IsNullOrWhiteSpace(s.WritableRootWhy))
            yield return new(id, s.Name, "has a writable root filesystem without a reason.", $"Mount the root read-only with tmpfs for its scratch places, or state why the image writes there. {fix}");
    }

    private static IEnumerable<PolicyViolation> DockerSocketWithEgress(PlatformBlueprint b)
    {
        const string id = "no-docker-socket-with-egress";
        var internalNetworks = b.Networks.Where(n => n.Internal).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var s in b.Services.Where(s => s.Mounts.Any(m => m.Kind == MountKind.Bind && m.Source.EndsWith("docker.sock", StringComparison.Ordinal))))
        {
            // Every network it is on, joins by other parts included; on none, Docker's default bridge, which has egress too.
            var networks = b.NetworksOf(s.Name);
            var egress = networks.IsEmpty ? ["the default bridge"] : networks.Where(n => !internalNetworks.Contains(n)).ToList();
            if (egress.Count > 0)
                yield return new(id, s.Name, $"mounts the Docker socket and has internet egress through {string.Join(", ", egress)}.",
                    "Give it the Docker API through a socket proxy on an internal network that allows only the calls it needs.");
        }
    }

    private static IEnumerable<PolicyViolation> PublicHostsComplete(PlatformBlueprint b)
    {
        const string id = "public-hosts-complete";
        var routes = b.Services.SelectMany(s => s.Labels.Where(l => l.Key.StartsWith("traefik.http.routers.", StringComparison.Ordinal) && l.Key.EndsWith(".rule", StringComparison.Ordinal))
            .Select(l => (Service: s, Router: l.Key[..^".rule".Length], Rule: l.Value))).ToList();
        // Looked up per host: sets, not a scan of every record and monitor per host (quadratic in the number of apps).
        var records = b.DnsRecords.Select(d => d.Fqdn).ToHashSet(StringComparer.Ordinal);
        var monitoredHosts = b.Monitors
            .Select(m => Uri.TryCreate(m.Target, UriKind.Absolute, out var uri) && m.Target.Contains(uri.IdnHost, StringComparison.Ordinal) ? uri.IdnHost : null)
            .OfType<string>().ToHashSet(StringComparer.Ordinal);
        bool Monitored(string host) => monitoredHosts.Contains(host) || b.Monitors.Any(m => m.Target.Contains(host, StringComparison.Ordinal));
        foreach (var (service, router, rule) in routes)
        {
            if (service.Labels.GetValueOrDefault(router + ".tls") != "true")
                yield return new(id, router, "serves without TLS.", "Set tls=true and the certificate resolver on the router.");
            foreach (var host in HostsIn(rule))
            {
                // A tenant's own domain outside the zone has no record here by design (its owner points it at the
                // server); what it must have instead is a certificate Let's Encrypt can issue without our DNS.
                var inZone = host == b.Zone || host.EndsWith("." + b.Zone, StringComparison.Ordinal);
                if (!inZone && service.Labels.GetValueOrDefault(router + ".tls.certresolver") != Routing.HttpCertResolver)
                    yield return new(id, host, "is outside the zone but its router does not use the HTTP-01 resolver, so it would get no certificate.",
                        $"Give the router tls.certresolver={Routing.HttpCertResolver}.");
                if (inZone && !records.Contains(host))
                    yield return new(id, host, "has a route but no DNS record.", "Add the host to a route of an app so the blueprint creates its record.");
                if (!b.Monitors.IsEmpty && !Monitored(host))
                    yield return new(id, host, "has no monitor.", "Give the app a healthPath so it gets an HTTP monitor.");
            }
        }
        foreach (var route in b.FileRoutes)
        {
            if (!records.Contains(route.Fqdn))
                yield return new(id, route.Fqdn, "has a route but no DNS record.", "Add the host to the platform's hosts so the blueprint creates its record.");
            if (!b.Monitors.IsEmpty && !Monitored(route.Fqdn))
                yield return new(id, route.Fqdn, "has no monitor.", "Give it an HTTP monitor.");
        }
        if (b.Monitors.IsEmpty && routes.Count > 0)
            yield return new(id, b.Domain, "no public host is monitored.", "Enable the monitors.");
    }

    private static IEnumerable<string> HostsIn(string rule)
    {
        var i = rule.IndexOf("Host(`", StringComparison.Ordinal);
        if (i < 0) yield break;
        var start = i + "Host(`".Length;
        yield return rule[start..rule.IndexOf('`', start)];
    }

    private static IEnumerable<PolicyViolation> ProdProtection(PlatformBlueprint b)
    {
        const string id = "prod-protected-and-backed-up";
        foreach (var server in b.Servers.Where(x => !x.Protect))
            yield return new(id, server.Name, "is not protected.", "Prod servers get Protect and Hetzner delete/rebuild protection.");
        foreach (var v in b.Volumes.Where(v => !v.Protect && b.Services.Any(s => s.Kind == ServiceKind.Data && s.Mounts.Any(m => m.Source == v.Name && !m.ReadOnly))))
            yield return new(id, v.Name, "is a prod volume without protection.", "Protect stateful prod volumes.");
        foreach (var v in b.Volumes.Where(v => v.Part.Kind == Parts.PartKind.App && !v.Protect))
            yield return new(id, v.Name, "is a prod app volume without protection.", "Protect app volumes on prod.");
        foreach (var v in b.Volumes.Where(v => v.Part.Kind == Parts.PartKind.App && !b.Backups.Any(j => j.What.Contains(v.Name, StringComparison.Ordinal))))
            yield return new(id, v.Name, "is a prod app volume in no backup job.", "Back it up with the app-volumes job.");
        if (b.PrivateNetwork is { Protect: false } network) yield return new(id, network.Name, "is a prod private network without protection.", "Protect it: every private address hangs on it.");
        if (b.LoadBalancer is { Protect: false } lb) yield return new(id, lb.Name, "is a prod load balancer without protection.", "Protect it: a new one has new public addresses.");
        if (b.DataVolume is { Protect: false } dv) yield return new(id, dv.Name, "is a prod data volume without protection.", "Protect the Hetzner data volume.");
        foreach (var rv in b.RoleVolumes.Where(v => !v.Protect)) yield return new(id, rv.Name, "is a prod data volume without protection.", "Protect the Hetzner data volume.");
        if (b.Backups.IsEmpty) yield return new(id, b.Stack, "has no backups.", "Set platform:backupsEnabled to true.");
    }

    /// <summary>Traefik, or a split stack's copy of it on an app server.</summary>
    private static bool IsTraefik(ServiceSpec s) => s.Part == Parts.PartId.Edge && s.ContainerName == ServiceNames.Traefik;

    /// <summary>A secret-looking name, but not a <c>*_FILE</c> variable: that holds the path of a file the secret is in.</summary>
    private static bool LooksSecret(string name) => !name.EndsWith("_FILE", StringComparison.Ordinal) &&
        new[] { "PASSWORD", "PASSWD", "SECRET", "TOKEN", "PRIVATE_KEY", "API_KEY", "CREDENTIAL" }.Any(w => name.Contains(w, StringComparison.Ordinal));
}
