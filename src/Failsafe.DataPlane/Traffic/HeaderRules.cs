using System.Collections.Frozen;

namespace Failsafe.DataPlane.Traffic;

/// <summary>Which headers the proxy does not pass on as they came.</summary>
internal static class HeaderRules
{
    public const string XForwardedFor = "X-Forwarded-For";
    public const string XForwardedProto = "X-Forwarded-Proto";
    public const string XForwardedHost = "X-Forwarded-Host";

    /// <summary>The response header that names the version that answered.</summary>
    public const string ServedBy = Contracts.TrafficSettings.DefaultVersionHeader;

    // Hop-by-hop headers (RFC 9110 7.6.1) and headers that only make sense between a client and this proxy.
    private static readonly FrozenSet<string> HopByHop = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "Connection", "Keep-Alive", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Close");

    // The proxy sets these itself (Host is copied on purpose, X-Forwarded-* appended to).
    private static readonly FrozenSet<string> SetByProxy = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "Host", XForwardedFor, XForwardedProto, XForwardedHost);

    public static bool IsHopByHop(string name) =>
        HopByHop.Contains(name) || name.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase);

    public static bool SkipRequestHeader(string name) => IsHopByHop(name) || SetByProxy.Contains(name);

    // Alt-Svc would advertise the instance's private port or protocols the proxy does not speak.
    public static bool SkipResponseHeader(string name) =>
        IsHopByHop(name) || name.Equals("Alt-Svc", StringComparison.OrdinalIgnoreCase);
}
