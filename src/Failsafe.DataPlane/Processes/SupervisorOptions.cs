namespace Failsafe.DataPlane;

/// <summary>How instances are restarted after a crash: 1 s, 2 s, 4 s… up to 30 s by default.</summary>
internal sealed record SupervisorOptions
{
    public TimeSpan RestartBackoffBase { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan RestartBackoffMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>An instance that ran this long before it exited starts over at the base delay.</summary>
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long an orphan from a previous agent gets between SIGTERM and SIGKILL.</summary>
    public TimeSpan OrphanStopTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Keep serving with a still-running instance of <c>current</c> from a previous agent instead of restarting it.</summary>
    public bool AdoptRunningInstances { get; init; } = true;

    public TimeSpan AdoptedPollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The n-th consecutive restart (1-based) waits base·2^(n-1), capped at the maximum.</summary>
    public TimeSpan BackoffFor(int consecutiveRestart)
    {
        var exponent = Math.Clamp(consecutiveRestart - 1, 0, 30);
        var ticks = RestartBackoffBase.Ticks * Math.Pow(2, exponent);
        return ticks >= RestartBackoffMax.Ticks ? RestartBackoffMax : TimeSpan.FromTicks((long)ticks);
    }
}
