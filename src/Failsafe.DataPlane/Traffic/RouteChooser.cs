using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Failsafe.DataPlane.Traffic;

/// <summary>
/// Picks the side that serves a request. In order: the version header (a tester's explicit choice), the
/// sticky header (hash of its value), the sticky cookie (set on the first response), else at random by weight.
/// </summary>
internal static class RouteChooser
{
    public const string CanaryValue = "canary";
    public const string StableValue = "stable";

    /// <param name="setCookie">A Set-Cookie value to send with the response, or null.</param>
    /// <returns>Null when no instance is running.</returns>
    public static BackendTarget? Choose(RouteTable table, IHeaderDictionary headers, out string? setCookie)
    {
        setCookie = null;
        var stable = table.Stable;
        var canary = table.Canary;
        if (canary is null || stable is null)
        {
            return stable ?? canary;
        }

        var picked = headers[table.VersionHeader];
        if (picked.Count > 0 && Pick(picked.ToString(), stable, canary) is { } target)
        {
            return target;
        }

        if (!table.Splits)
        {
            return table.Weight >= 100 ? canary : stable;
        }

        if (table.StickyHeader is { } stickyHeader)
        {
            var key = headers[stickyHeader];
            if (key.Count > 0)
            {
                return StickyHash.Bucket(key.ToString()) < table.Weight ? canary : stable;
            }
        }

        if (table.StickyCookie is { } cookieName)
        {
            var side = CookieValue(headers.Cookie, cookieName);
            if (side.Equals(CanaryValue, StringComparison.OrdinalIgnoreCase))
            {
                return canary;
            }

            if (side.Equals(StableValue, StringComparison.OrdinalIgnoreCase))
            {
                return stable;
            }

            var chosen = Random.Shared.Next(100) < table.Weight ? canary : stable;
            setCookie = chosen.Canary ? table.CanaryCookie : table.StableCookie;
            return chosen;
        }

        return Random.Shared.Next(100) < table.Weight ? canary : stable;
    }

    private static BackendTarget? Pick(string value, BackendTarget stable, BackendTarget canary)
    {
        if (value.Equals(CanaryValue, StringComparison.OrdinalIgnoreCase) || value == canary.Backend.Version)
        {
            return canary;
        }

        if (value.Equals(StableValue, StringComparison.OrdinalIgnoreCase) || value == stable.Backend.Version)
        {
            return stable;
        }

        return null;
    }

    /// <summary>The value of cookie <paramref name="name"/> in Cookie headers ("a=1; b=2"), empty when absent.</summary>
    internal static ReadOnlySpan<char> CookieValue(StringValues cookies, string name)
    {
        foreach (var header in cookies)
        {
            var rest = header.AsSpan();
            while (!rest.IsEmpty)
            {
                var end = rest.IndexOf(';');
                var pair = (end < 0 ? rest : rest[..end]).Trim();
                rest = end < 0 ? default : rest[(end + 1)..];
                var equals = pair.IndexOf('=');
                if (equals > 0 && pair[..equals].TrimEnd().Equals(name, StringComparison.Ordinal))
                {
                    return pair[(equals + 1)..].Trim().Trim('"');
                }
            }
        }

        return default;
    }
}
