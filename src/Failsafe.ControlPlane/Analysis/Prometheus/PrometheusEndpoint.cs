using System.Net.Http.Headers;
using System.Text;

namespace Failsafe.ControlPlane.Analysis;

/// <summary>
/// Where a Prometheus URL sends queries. Credentials in the URL (http://user:password@host:9090) become a
/// Basic Authorization header, which HttpClient does not do on its own, and are cut out of every address
/// that reaches a message or a log.
/// </summary>
internal sealed class PrometheusEndpoint(Uri queryUri, string display, AuthenticationHeaderValue? authorization)
{
    /// <summary>{base}/api/v1/query, without credentials.</summary>
    public Uri QueryUri { get; } = queryUri;

    /// <summary>The base URL without credentials: what messages name.</summary>
    public string Display { get; } = display;

    public AuthenticationHeaderValue? Authorization { get; } = authorization;

    public static PrometheusEndpoint Parse(string? url)
    {
        if (!Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new PrometheusQueryException($"The Prometheus URL \"{Redact(url ?? "")}\" is not an absolute http or https URL (e.g. http://127.0.0.1:9090).");
        }

        var bare = new UriBuilder(uri) { UserName = "", Password = "", Query = "", Fragment = "" }.Uri;
        var display = bare.GetLeftPart(UriPartial.Path).TrimEnd('/');
        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw new PrometheusQueryException($"The Prometheus URL must be the server's address without a query string or fragment, e.g. {display}.");
        }

        return new PrometheusEndpoint(new Uri(display + "/api/v1/query"), display, BasicAuthorization(uri.UserInfo));
    }

    public override string ToString() => Display;

    /// <summary>The URL with anything that could be user:password@ removed, for text about a URL that did not parse.</summary>
    public static string Redact(string url)
    {
        var at = url.LastIndexOf('@');
        if (at < 0)
        {
            return PromQlTemplate.OneLine(url);
        }

        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var keep = scheme >= 0 && scheme < at ? scheme + 3 : 0;
        return PromQlTemplate.OneLine(string.Concat(url.AsSpan(0, keep), url.AsSpan(at + 1)));
    }

    private static AuthenticationHeaderValue? BasicAuthorization(string userInfo)
    {
        if (userInfo.Length == 0)
        {
            return null;
        }

        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        var user = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
        var password = colon < 0 ? "" : Uri.UnescapeDataString(userInfo[(colon + 1)..]);
        return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
    }
}
