namespace Failsafe.ControlPlane.Tests.Infrastructure;

/// <summary>The system clock plus an offset the test can move forward; timers still run in real time.</summary>
internal sealed class OffsetTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
