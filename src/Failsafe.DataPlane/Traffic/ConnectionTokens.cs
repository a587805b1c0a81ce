using Microsoft.Extensions.Primitives;

namespace Failsafe.DataPlane.Traffic;

/// <summary>
/// The header names a Connection header lists (RFC 9110 7.6.1): those headers are hop-by-hop too.
/// keep-alive, close and upgrade are left out; they name no header that is not already dropped.
/// </summary>
internal static class ConnectionTokens
{
    /// <returns>The names listed, or null when there are none (the usual case, without allocating).</returns>
    public static string[]? Parse(string? value)
    {
        if (string.IsNullOrEmpty(value) || IsPlain(value))
        {
            return null;
        }

        List<string>? names = null;
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!IsPlain(part))
            {
                (names ??= []).Add(part);
            }
        }

        return names?.ToArray();
    }

    public static string[]? Parse(StringValues values) => values.Count switch
    {
        0 => null,
        1 => Parse(values[0]),
        _ => Parse(string.Join(',', values.ToArray())),
    };

    public static bool Lists(string[]? names, string header)
    {
        if (names is null)
        {
            return false;
        }

        foreach (var name in names)
        {
            if (name.Equals(header, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsPlain(string token) =>
        token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase)
        || token.Equals("close", StringComparison.OrdinalIgnoreCase)
        || token.Equals("upgrade", StringComparison.OrdinalIgnoreCase);
}
