using System.Collections.Immutable;
using System.Globalization;
using Platform.Stacks.Model;
using Platform.Stacks.Parts;

namespace Platform.Stacks.Blueprint;

/// <summary>
/// Keeps a server's disk from filling with images: a daily systemd timer removes the images no container
/// uses, keeping the newest <see cref="KeepPerRepository"/> of each repository (an app's last releases, for a
/// quick rollback without a pull). It only ever runs <c>docker image rm</c> without force, so an image a
/// container still uses (running or stopped) is never removed, and volumes, networks and containers are never
/// touched. Installed by a host command on every server (a server's user data never changes after it is made).
/// Docker's data directory is on the root filesystem, which the disk threshold monitor watches.
/// </summary>
public static class ImageHygiene
{
    /// <summary>Images of one repository kept however old, newest first: the running release and two to roll back to.</summary>
    public const int KeepPerRepository = 3;

    public const string ScriptPath = "/usr/local/sbin/platform-image-prune";
    public const string Unit = "platform-image-prune";

    /// <summary>When the timer fires (UTC), after the nightly backups; a random delay spreads a split stack's servers.</summary>
    public const string OnCalendar = "*-*-* 05:15:00 UTC";

    /// <summary>
    /// The prune script (POSIX sh; the Docker CLI on the server). <c>KEEP</c> overrides how many of each repository
    /// stay. Images are ordered by their creation time (RFC 3339 from <c>docker image inspect</c>, its fraction padded so it sorts as text).
    /// </summary>
    public static string Script(int keep = KeepPerRepository) => $$$"""
        #!/bin/sh
        # Removes images no container uses, keeping the newest KEEP of each repository. Never forces, never
        # touches volumes, networks or containers. Prints one line per removed image.
        set -eu
        KEEP=${KEEP:-{{{keep.ToString(CultureInfo.InvariantCulture)}}}}
        used=$(docker ps -aq --no-trunc | xargs -r docker inspect -f '{{.Image}}' | sort -u)
        docker image ls --no-trunc --format '{{.ID}}' | sort -u | xargs -r docker image inspect -f '{{.Id}} {{.Created}} {{range .RepoTags}}{{.}},{{end}}{{range .RepoDigests}}{{.}},{{end}}' |
          while read -r id created tags; do
            # repo:tag, and repo@sha256:… for an image pulled by digest (pin-images), which has no tag.
            repos=$(printf '%s\n' "$tags" | tr ',' '\n' | sed -n -e 's/@sha256:[0-9a-f]*$//p' -e 's/:[^:/]*$//p' | sort -u)
            [ -n "$repos" ] || repos='<none>'
            for repo in $repos; do printf '%s %s %s\n' "$repo" "$created" "$id"; done
          done |
          # RFC 3339 times with the fraction padded to nine digits sort as text, oldest to newest.
          awk '{ c = $2; f = "000000000"; if (match(c, /\.[0-9]+/)) { f = substr(c, RSTART + 1, RLENGTH - 1); while (length(f) < 9) f = f "0"; c = substr(c, 1, RSTART - 1) substr(c, RSTART + RLENGTH) } sub(/Z$/, "", c); print $1, c "." f, $3 }' |
          sort -k1,1 -k2,2r |
          awk -v keep="$KEEP" '{ n[$1]++; if (n[$1] > keep || $1 == "<none>") print $3; else print "keep " $3 }' |
          awk '$1 == "keep" { kept[$2] = 1; next } { drop[$1] = 1 } END { for (i in drop) if (!(i in kept)) print i }' |
          while read -r id; do
            [ -n "$id" ] || continue
            if printf '%s\n' "$used" | grep -qxF "$id"; then continue; fi
            docker image rm "$id" >/dev/null 2>&1 && echo "removed $id" || echo "kept $id (in use or referenced)"
          done
        """;

    /// <summary>The host command that installs the script and its daily timer on one server.</summary>
    public static HostCommandSpec Command(string name = HostCommandNames.ImageHygiene)
    {
        var b = new SecretTextBuilder().Line("set -eu");
        Blueprint.HostFiles.Write(b, ScriptPath, "0755", Script());
        Blueprint.HostFiles.Write(b, $"/etc/systemd/system/{Unit}.service", "0644", string.Join("\n",
            "[Unit]",
            "Description=Remove Docker images no container uses (keeps the newest " + KeepPerRepository.ToString(CultureInfo.InvariantCulture) + " of each repository)",
            "Requires=docker.service",
            "After=docker.service",
            "",
            "[Service]",
            "Type=oneshot",
            $"ExecStart={ScriptPath}",
            ""));
        Blueprint.HostFiles.Write(b, $"/etc/systemd/system/{Unit}.timer", "0644", string.Join("\n",
            "[Unit]",
            "Description=Daily image hygiene",
            "",
            "[Timer]",
            $"OnCalendar={OnCalendar}",
            "RandomizedDelaySec=1800",
            "Persistent=true",
            "",
            "[Install]",
            "WantedBy=timers.target",
            ""));
        b.Line("sudo systemctl daemon-reload");
        b.Line($"sudo systemctl enable --now {Unit}.timer >/dev/null");
        return new HostCommandSpec(name,
            $"installs a daily timer that removes images no container uses, keeping the newest {KeepPerRepository} of each repository (never volumes or networks)",
            "sh -s", b.Build(), [])
        {
            // With the host metrics it keeps the server healthy: the monitoring part carries it.
            Part = PartId.Monitoring,
            Delete = $"sudo systemctl disable --now {Unit}.timer 2>/dev/null || true; sudo rm -f /etc/systemd/system/{Unit}.service /etc/systemd/system/{Unit}.timer {ScriptPath}; sudo systemctl daemon-reload",
        };
    }
}
