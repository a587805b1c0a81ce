using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Failsafe.DataPlane.Traffic;

/// <summary>Builds the request sent to an instance from the client's request.</summary>
internal static class UpstreamRequest
{
    private const string Http = "http";

    public static HttpRequestMessage Create(HttpContext context, BackendTarget target, HttpContent? content, bool upgrade)
    {
        var request = context.Request;
        var headers = request.Headers;
        var message = new HttpRequestMessage(HttpMethod.Parse(request.Method), TargetUri(context, target))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };

        var listed = ConnectionTokens.Parse(ConnectionHeaderCapture.Current ?? (string?)headers.Connection);
        var chunked = headers.ContainsKey("Transfer-Encoding");
        foreach (var header in headers)
        {
            var name = header.Key;
            if (HeaderRules.SkipRequestHeader(name) || ConnectionTokens.Lists(listed, name))
            {
                continue;
            }

            // RFC 9112 6.3: with both, Transfer-Encoding wins and Content-Length must not be forwarded.
            if (chunked && name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            Add(message, name, header.Value);
        }

        // The instance sees the Host the client asked for, as it would without the proxy in front.
        var host = headers.Host;
        if (!StringValues.IsNullOrEmpty(host))
        {
            message.Headers.TryAddWithoutValidation("Host", host.ToString());
        }

        var client = context.Connection.RemoteIpAddress?.ToString();
        AddForwarded(message, headers, HeaderRules.XForwardedFor, client);
        AddForwarded(message, headers, HeaderRules.XForwardedProto, Http);
        AddForwarded(message, headers, HeaderRules.XForwardedHost, host.Count == 0 ? null : host.ToString());

        if (upgrade)
        {
            message.Headers.TryAddWithoutValidation("Connection", "Upgrade");
            message.Headers.TryAddWithoutValidation("Upgrade", (IEnumerable<string?>)headers.Upgrade);
        }

        return message;
    }

    private static Uri TargetUri(HttpContext context, BackendTarget target)
    {
        // The raw target keeps the client's exact encoding (%2F stays %2F); anything but origin-form is rebuilt.
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        var pathAndQuery = raw is { Length: > 0 } && raw[0] == '/'
            ? raw
            : context.Request.Path.ToUriComponent() + context.Request.QueryString.ToUriComponent();
        return target.UriFor(pathAndQuery);
    }

    // Each hop appends itself, so a chain of proxies stays readable: "client, proxy1".
    private static void AddForwarded(HttpRequestMessage message, IHeaderDictionary headers, string name, string? value)
    {
        var existing = headers[name];
        var combined = existing.Count == 0 ? value : value is null ? existing.ToString() : $"{existing}, {value}";
        if (combined is not null)
        {
            message.Headers.TryAddWithoutValidation(name, combined);
        }
    }

    private static void Add(HttpRequestMessage message, string name, StringValues value)
    {
        // HttpClient would join several Cookie headers with ", "; cookies are separated by "; ".
        if (value.Count > 1 && name.Equals("Cookie", StringComparison.OrdinalIgnoreCase))
        {
            value = string.Join("; ", value.ToArray());
        }

        if (value.Count == 1)
        {
            var single = value[0]!;
            if (!message.Headers.TryAddWithoutValidation(name, single))
            {
                ContentOf(message).Headers.TryAddWithoutValidation(name, single);
            }

            return;
        }

        IEnumerable<string?> values = value;
        if (!message.Headers.TryAddWithoutValidation(name, values))
        {
            ContentOf(message).Headers.TryAddWithoutValidation(name, values);
        }
    }

    // Content headers (Content-Type, Content-Length: 0, ...) of a request without a body still travel.
    private static HttpContent ContentOf(HttpRequestMessage message) => message.Content ??= new ByteArrayContent([]);
}
