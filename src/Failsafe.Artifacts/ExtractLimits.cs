namespace Failsafe.Artifacts;

/// <summary>Upper bounds an extraction enforces whatever the artifact's manifest declares.</summary>
public sealed record ExtractLimits(long MaxTotalSize = 20L << 30, int MaxEntryCount = 1_000_000)
{
    public static ExtractLimits Default { get; } = new();
}
