using Microsoft.Extensions.Logging;

namespace Failsafe.DataPlane.Traffic;

/// <summary>Log lines of the traffic proxy (3600–3699). Per-request lines are Debug only.</summary>
internal static partial class Log
{
    [LoggerMessage(3600, LogLevel.Information, "{Service}: proxy listening on {Endpoint}")]
    public static partial void Listening(ILogger logger, string service, string endpoint);

    [LoggerMessage(3601, LogLevel.Information, "{Service}: proxy no longer listening on port {Port}")]
    public static partial void StoppedListening(ILogger logger, string service, int port);

    [LoggerMessage(3602, LogLevel.Information, "{Service}: route stable {Stable}, canary {Canary} at {Weight}%")]
    public static partial void RouteApplied(ILogger logger, string service, string stable, string canary, int weight);

    [LoggerMessage(3603, LogLevel.Warning, "Drain of {Release} (port {Port}) timed out with {InFlight} request(s) in flight")]
    public static partial void DrainTimedOut(ILogger logger, string release, int port, int inFlight);

    [LoggerMessage(3604, LogLevel.Information, "Metrics served on {Endpoint}")]
    public static partial void MetricsListening(ILogger logger, string endpoint);

    [LoggerMessage(3610, LogLevel.Debug, "{Service}: {Release} (port {Port}) failed before answering, client got {Status}: {Reason}")]
    public static partial void UpstreamFailed(ILogger logger, string service, string release, int port, int status, string reason);

    [LoggerMessage(3611, LogLevel.Debug, "{Service}: {Release} (port {Port}) broke off its response; client connection aborted: {Reason}")]
    public static partial void ResponseBroken(ILogger logger, string service, string release, int port, string reason);

    [LoggerMessage(3612, LogLevel.Debug, "{Service}: the request observer failed: {Reason}")]
    public static partial void ObserverFailed(ILogger logger, string service, string reason);

    [LoggerMessage(3613, LogLevel.Debug, "{Service}: WebSocket/upgrade tunnel to {Release} ended: {Reason}")]
    public static partial void TunnelEnded(ILogger logger, string service, string release, string reason);
}
