using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Failsafe.DataPlane.Traffic;

/// <summary>Copies an instance's response headers to the client's response, without hop-by-hop ones.</summary>
internal static class ResponseHeaders
{
    public static void Copy(HttpResponseMessage from, IHeaderDictionary to)
    {
        string[]? listed = null;
        if (from.Headers.NonValidated.TryGetValues("Connection", out var connection))
        {
            listed = ConnectionTokens.Parse(connection.ToString());
        }

        Copy(from.Headers.NonValidated, to, listed);
        Copy(from.Content.Headers.NonValidated, to, listed);

        // RFC 9112 6.3: with both, Transfer-Encoding wins; Kestrel chunks the body itself.
        if (from.Headers.NonValidated.Contains("Transfer-Encoding"))
        {
            to.ContentLength = null;
        }
    }

    private static void Copy(HttpHeadersNonValidated from, IHeaderDictionary to, string[]? listed)
    {
        foreach (var header in from)
        {
            var name = header.Key;
            if (HeaderRules.SkipResponseHeader(name) || ConnectionTokens.Lists(listed, name))
            {
                continue;
            }

            to[name] = Values(header.Value);
        }
    }

    private static StringValues Values(HeaderStringValues values)
    {
        if (values.Count == 1)
        {
            return values.ToString();
        }

        var all = new string[values.Count];
        var i = 0;
        foreach (var value in values)
        {
            all[i++] = value;
        }

        return all;
    }
}
