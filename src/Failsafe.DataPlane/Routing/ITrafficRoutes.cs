using Failsafe.Contracts;

namespace Failsafe.DataPlane;

/// <summary>The agent loop's view of routing: what it reports with each poll and where it hands the server's answer.</summary>
internal interface ITrafficRoutes
{
    IReadOnlyList<TrafficRoute> Wanted { get; }

    Task ApplyWantedAsync(IReadOnlyList<TrafficRoute> routes, CancellationToken cancellationToken);
}
