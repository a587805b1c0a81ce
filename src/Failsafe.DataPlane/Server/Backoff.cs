namespace Failsafe.DataPlane;

/// <summary>Exponential backoff with jitter (each delay drawn from [d/2, d]) so that a fleet of agents does not reconnect in step.</summary>
internal sealed class Backoff(TimeSpan initial, TimeSpan max, Random random)
{
    private int _failures;

    public int Failures => _failures;

    public TimeSpan Next()
    {
        _failures++;
        var ceiling = Math.Min(max.TotalMilliseconds, initial.TotalMilliseconds * Math.Pow(2, Math.Min(_failures - 1, 30)));
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (random.NextDouble() / 2)));
    }

    public void Reset() => _failures = 0;
}
