namespace Failsafe.DataPlane.Traffic;

/// <summary>How a new instance answered its warm-up requests.</summary>
/// <param name="Requests">Requests sent (fewer than asked when the time ran out).</param>
/// <param name="Succeeded">Answered with 2xx or 3xx.</param>
/// <param name="Slowest">The slowest answer (of any status).</param>
/// <param name="FirstError">What went wrong first ("GET /x: 500", "connection refused"), or null.</param>
internal sealed record WarmUpResult(int Requests, int Succeeded, TimeSpan Slowest, string? FirstError)
{
    public bool AllSucceeded => Requests > 0 && Succeeded == Requests;
}
