namespace Failsafe.Artifacts;

/// <summary>
/// Running totals of an extraction, checked as data arrives rather than trusted from headers.
/// Bounded by the manifest, which was itself checked against <see cref="ExtractLimits"/>.
/// </summary>
internal sealed class ExtractionBudget(long maxBytes, int maxEntries)
{
    private long _bytes;
    private int _entries;

    public void CountEntry(string entryName)
    {
        if (++_entries > maxEntries)
        {
            throw ArtifactErrors.Refused(entryName, $"the artifact holds more than the {maxEntries} entries its manifest declares");
        }
    }

    public void CountBytes(string entryName, int count)
    {
        _bytes += count;
        if (_bytes > maxBytes)
        {
            throw ArtifactErrors.Refused(entryName, $"the artifact holds more than the {maxBytes} bytes its manifest declares");
        }
    }
}
