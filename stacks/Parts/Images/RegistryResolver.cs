using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Platform.Stacks.Parts.Images;

/// <summary>
/// Finds the digest a tag points to, with the registry HTTP API (the OCI distribution spec): <c>HEAD /v2/&lt;repository&gt;/manifests/&lt;tag&gt;</c>
/// accepting image indexes and manifests (Docker's and OCI's), answered with <c>Docker-Content-Digest</c>; where a registry
/// leaves that header out, the digest of the manifest's bytes from a <c>GET</c>. A <c>401</c> with a <c>Bearer</c> challenge is
/// answered as Docker does (the token flow of <c>distribution</c>'s <c>docs/spec/auth/token.md</c>: a pull-scoped token from the
/// challenge's realm, anonymous unless <c>REGISTRY_USERNAME</c>/<c>REGISTRY_PASSWORD</c> are set), then the request is retried.
/// The digest of an index is what Docker pulls for every platform, so one digest serves amd64 and arm64 servers.
/// </summary>
public sealed class RegistryResolver(HttpClient http)
{
    /// <summary>Manifest types asked for, an index first (so a multi-platform image resolves to its index).</summary>
    public static readonly string[] ManifestTypes =
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
    ];

    /// <summary>Credentials for the token request, when the registry needs them (private images).</summary>
    public (string User, string Password)? Credentials { get; init; }

    /// <summary>The digest, or null with a message a person can act on.</summary>
    public async Task<(string? Digest, string? Problem)> ResolveAsync(ImageReference image, CancellationToken ct = default)
    {
        var url = new Uri($"{(image.IsLoopback ? "http" : "https")}://{image.ApiHost}/v2/{image.Repository}/manifests/{image.Tag}");
        try
        {
            string? token = null;
            for (var attempt = 0; attempt < 2; attempt++)
            {
                using var head = Request(HttpMethod.Head, url, token);
                using var response = await http.SendAsync(head, HttpCompletionOption.ResponseHeadersRead, ct);
                if (response.StatusCode == HttpStatusCode.Unauthorized && token is null
                    && response.Headers.WwwAuthenticate.FirstOrDefault(h => h.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)) is { } challenge)
                {
                    (token, var problem) = await TokenAsync(challenge, image, ct);
                    if (token is null) return (null, problem);
                    continue;
                }
                if (response.StatusCode == HttpStatusCode.NotFound)
                    return (null, $"{image.Registry} has no tag '{image.Tag}' of {image.Repository}");
                if (!response.IsSuccessStatusCode)
                    return (null, $"{url} answered {(int)response.StatusCode} {response.ReasonPhrase}{(response.StatusCode == HttpStatusCode.Unauthorized ? " (a private image: set REGISTRY_USERNAME and REGISTRY_PASSWORD)" : "")}");
                if (response.Headers.TryGetValues("Docker-Content-Digest", out var values) && values.FirstOrDefault() is { } d && ImageReference.IsDigest(d))
                    return (d, null);
                using var get = Request(HttpMethod.Get, url, token);
                using var body = await http.SendAsync(get, ct);
                if (!body.IsSuccessStatusCode) return (null, $"{url} answered {(int)body.StatusCode} to GET");
                return ("sha256:" + Convert.ToHexStringLower(SHA256.HashData(await body.Content.ReadAsByteArrayAsync(ct))), null);
            }
            return (null, $"{url} refused the token it issued");
        }
        catch (HttpRequestException e)
        {
            return (null, $"{image.ApiHost} could not be reached: {e.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, $"{image.ApiHost} did not answer in time");
        }
    }

    private static HttpRequestMessage Request(HttpMethod method, Uri url, string? token)
    {
        var request = new HttpRequestMessage(method, url);
        foreach (var type in ManifestTypes) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>A pull token from the challenge's realm (<c>realm</c>, <c>service</c>, and the repository's pull scope).</summary>
    private async Task<(string? Token, string? Problem)> TokenAsync(AuthenticationHeaderValue challenge, ImageReference image, CancellationToken ct)
    {
        var parameters = Challenge(challenge.Parameter ?? "");
        if (!parameters.TryGetValue("realm", out var realm) || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri) || realmUri.Scheme is not ("https" or "http"))
            return (null, $"{image.ApiHost} asked for a token without a usable realm");
        var query = new List<string>();
        if (parameters.TryGetValue("service", out var service)) query.Add("service=" + Uri.EscapeDataString(service));
        query.Add("scope=" + Uri.EscapeDataString(parameters.TryGetValue("scope", out var scope) ? scope : $"repository:{image.Repository}:pull"));
        using var request = new HttpRequestMessage(HttpMethod.Get, new UriBuilder(realmUri) { Query = string.Join('&', query) }.Uri);
        if (Credentials is { } c)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{c.User}:{c.Password}")));
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
            return (null, $"{realmUri.Host} refused a pull token for {image.Repository} ({(int)response.StatusCode}){(Credentials is null ? ": a private image needs REGISTRY_USERNAME and REGISTRY_PASSWORD" : "")}");
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        foreach (var name in new[] { "token", "access_token" })
            if (json.RootElement.TryGetProperty(name, out var t) && t.ValueKind == JsonValueKind.String && t.GetString() is { Length: > 0 } value)
                return (value, null);
        return (null, $"{realmUri.Host} answered without a token");
    }

    /// <summary>The parameters of a <c>Bearer</c> challenge: <c>realm="…",service="…",scope="…"</c> (quoted values may hold commas).</summary>
    public static Dictionary<string, string> Challenge(string parameter)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < parameter.Length)
        {
            while (i < parameter.Length && (parameter[i] == ',' || char.IsWhiteSpace(parameter[i]))) i++;
            var eq = parameter.IndexOf('=', i);
            if (eq < 0) break;
            var name = parameter[i..eq].Trim();
            i = eq + 1;
            string value;
            if (i < parameter.Length && parameter[i] == '"')
            {
                var close = parameter.IndexOf('"', i + 1);
                if (close < 0) close = parameter.Length;
                value = parameter[(i + 1)..close];
                i = close + 1;
            }
            else
            {
                var comma = parameter.IndexOf(',', i);
                if (comma < 0) comma = parameter.Length;
                value = parameter[i..comma].Trim();
                i = comma;
            }
            if (name.Length > 0) result[name] = value;
        }
        return result;
    }
}
