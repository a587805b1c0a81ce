using System.Globalization;

namespace Failsafe.DataPlane.Traffic;

/// <summary>A backend as the hot path needs it: its address prefix and in-flight counter resolved once per route.</summary>
internal sealed class BackendTarget(Backend backend, bool canary, InFlightCounter inFlight)
{
    public Backend Backend { get; } = backend;

    public bool Canary { get; } = canary;

    public InFlightCounter InFlight { get; } = inFlight;

    /// <summary>"http://127.0.0.1:PORT", to which the request's path and query are appended.</summary>
    public string Prefix { get; } = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{backend.Port}");
}
