using System.Globalization;

namespace Failsafe.Artifacts;

/// <summary>
/// The one timestamp of an artifact (manifest and every tar header). Derived from the inputs,
/// never from the clock, so that packing is reproducible (https://reproducible-builds.org/specs/source-date-epoch/).
/// </summary>
internal static class CreatedAtPolicy
{
    public const string SourceDateEpochVariable = "SOURCE_DATE_EPOCH";

    // Directories are left out: their mtime moves whenever a temporary file comes and goes.
    public static DateTimeOffset Resolve(DateTimeOffset? requested, string? sourceDateEpoch, IEnumerable<SourceEntry> entries)
    {
        if (requested is { } value)
        {
            return WholeSecondsUtc(value);
        }

        if (!string.IsNullOrEmpty(sourceDateEpoch))
        {
            if (!long.TryParse(sourceDateEpoch, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            {
                throw new ArtifactException(
                    $"{SourceDateEpochVariable} '{sourceDateEpoch}' is not a whole number of seconds since 1970-01-01.");
            }

            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }

        var newest = entries.Where(e => e.Type != EntryTypes.Directory).Select(e => e.ModifiedAt).DefaultIfEmpty(DateTimeOffset.UnixEpoch).Max();
        return WholeSecondsUtc(newest);
    }

    private static DateTimeOffset WholeSecondsUtc(DateTimeOffset value) =>
        DateTimeOffset.FromUnixTimeSeconds(Math.Max(0, value.ToUnixTimeSeconds()));
}
