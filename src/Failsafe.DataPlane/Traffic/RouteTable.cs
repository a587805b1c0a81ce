namespace Failsafe.DataPlane.Traffic;

/// <summary>
/// A <see cref="ServiceRoute"/> compiled for the hot path. Immutable: a route change builds a new table
/// and swaps it in with one reference write, so a request sees the old route or the new one, never a mix.
/// </summary>
internal sealed class RouteTable
{
    private RouteTable(ServiceRoute route, BackendTarget? stable, BackendTarget? canary)
    {
        Route = route;
        Stable = stable;
        Canary = canary;
        Weight = route.CanaryWeight;
        Timeout = TimeSpan.FromSeconds(route.Settings.UpstreamTimeoutSeconds);
        VersionHeader = route.Settings.VersionHeader;
        StickyHeader = string.IsNullOrEmpty(route.Settings.StickyHeader) ? null : route.Settings.StickyHeader;
        StickyCookie = string.IsNullOrEmpty(route.Settings.StickyCookie) ? null : route.Settings.StickyCookie;
        if (StickyCookie is not null)
        {
            CanaryCookie = $"{StickyCookie}={RouteChooser.CanaryValue}; Path=/; HttpOnly; SameSite=Lax";
            StableCookie = $"{StickyCookie}={RouteChooser.StableValue}; Path=/; HttpOnly; SameSite=Lax";
        }
    }

    public ServiceRoute Route { get; }

    public string Service => Route.Service;

    public BackendTarget? Stable { get; }

    public BackendTarget? Canary { get; }

    public int Weight { get; }

    public TimeSpan Timeout { get; }

    public string VersionHeader { get; }

    public string? StickyHeader { get; }

    public string? StickyCookie { get; }

    /// <summary>Set-Cookie values that pin a client to a side.</summary>
    public string? CanaryCookie { get; }

    public string? StableCookie { get; }

    /// <summary>True when both sides exist and each takes some traffic: only then does stickiness matter.</summary>
    public bool Splits => Stable is not null && Canary is not null && Weight is > 0 and < 100;

    public static RouteTable Create(ServiceRoute route, Func<Backend, InFlightCounter> counterOf)
    {
        var stable = route.Stable is null ? null : new BackendTarget(route.Stable, canary: false, counterOf(route.Stable));
        var canary = route.Canary is null ? null : new BackendTarget(route.Canary, canary: true, counterOf(route.Canary));
        return new RouteTable(route, stable, canary);
    }

    /// <summary>True when two routes send every request the same way (warm-up settings aside).</summary>
    public static bool SameRouting(ServiceRoute a, ServiceRoute b) =>
        a.Service == b.Service
        && Equals(a.Stable, b.Stable)
        && Equals(a.Canary, b.Canary)
        && a.CanaryWeight == b.CanaryWeight
        && a.Settings with { WarmUpPaths = null } == b.Settings with { WarmUpPaths = null };

    public bool Routes(Backend backend) => backend.Equals(Route.Stable) || backend.Equals(Route.Canary);
}
