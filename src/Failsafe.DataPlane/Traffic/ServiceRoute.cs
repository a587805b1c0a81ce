using Failsafe.Contracts;

namespace Failsafe.DataPlane.Traffic;

/// <summary>
/// Where a service's public port sends requests: the stable instance, and optionally a canary instance
/// that takes <paramref name="CanaryWeight"/> percent of them. Immutable; a change is a new route.
/// </summary>
internal sealed record ServiceRoute(string Service, Backend? Stable, Backend? Canary, int CanaryWeight, TrafficSettings Settings)
{
    /// <summary>Throws an <see cref="ArgumentException"/> naming the field that is out of range.</summary>
    public void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Service);
        ArgumentNullException.ThrowIfNull(Settings);
        if (CanaryWeight is < 0 or > 100)
        {
            throw new ArgumentException($"{Service}: canary weight {CanaryWeight} is not within 0-100.");
        }

        if (Settings.PublicPort is < 1 or > 65535)
        {
            throw new ArgumentException($"{Service}: public port {Settings.PublicPort} is not within 1-65535.");
        }

        if (Settings.UpstreamTimeoutSeconds < 1)
        {
            throw new ArgumentException($"{Service}: upstream timeout must be at least 1 second.");
        }

        if (string.IsNullOrWhiteSpace(Settings.VersionHeader))
        {
            throw new ArgumentException($"{Service}: the version header needs a name.");
        }

        if (!string.IsNullOrEmpty(Settings.StickyCookie) && !IsToken(Settings.StickyCookie))
        {
            throw new ArgumentException($"{Service}: sticky cookie name '{Settings.StickyCookie}' is not a valid cookie name.");
        }

        foreach (var backend in (ReadOnlySpan<Backend?>)[Stable, Canary])
        {
            if (backend is { Port: < 1 or > 65535 })
            {
                throw new ArgumentException($"{Service}: instance port {backend.Port} of {backend.Release} is not within 1-65535.");
            }
        }
    }

    // RFC 9110 token characters: what a cookie or header name may hold.
    private static bool IsToken(string value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && !"!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
