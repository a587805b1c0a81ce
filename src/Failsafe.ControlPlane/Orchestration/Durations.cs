using System.Globalization;

namespace Failsafe.ControlPlane.Orchestration;

internal static class Durations
{
    /// <summary>"10 min", "90 s", "2 h": the way a person says it.</summary>
    public static string Format(TimeSpan span) =>
        span.TotalHours >= 1 && span.TotalHours == Math.Floor(span.TotalHours) ? $"{span.TotalHours.ToString(CultureInfo.InvariantCulture)} h"
        : span.TotalMinutes >= 1 && span.TotalMinutes == Math.Floor(span.TotalMinutes) ? $"{span.TotalMinutes.ToString(CultureInfo.InvariantCulture)} min"
        : span.TotalSeconds >= 1 ? $"{Math.Round(span.TotalSeconds, 1).ToString(CultureInfo.InvariantCulture)} s"
        : $"{span.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms";
}
