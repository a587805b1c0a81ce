using System.Globalization;

namespace Failsafe.Analysis;

/// <summary>Numbers as people read them in a verdict sentence (invariant culture).</summary>
internal static class Wording
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>1,512</summary>
    public static string Count(long value) => value.ToString("N0", Invariant);

    /// <summary>3.1% (two decimals under 0.1%, so a rare error rate does not read as 0.0%).</summary>
    public static string Percent(double fraction)
    {
        var percent = fraction * 100;
        return PercentWith(fraction, percent != 0 && Math.Abs(percent) < 0.1 ? 2 : 1);
    }

    /// <summary>+2.1 (percentage points, signed).</summary>
    public static string Points(double fraction) => SignedPoints(fraction, 1);

    /// <summary>
    /// Points with enough decimals that a value on one side of <paramref name="reference"/> does not
    /// print as the reference itself (an interval starting at +0.03 must not read "+0.0").
    /// </summary>
    public static string Points(double fraction, double reference) =>
        Apart(decimals => SignedPoints(fraction, decimals), decimals => SignedPoints(reference, decimals), fraction != reference);

    /// <summary>A percentage, with enough decimals to differ from <paramref name="reference"/> when it does.</summary>
    public static string Percent(double fraction, double reference) =>
        Apart(decimals => PercentWith(fraction, decimals), decimals => PercentWith(reference, decimals), fraction != reference);

    /// <summary>+18% (a ratio as a signed relative change).</summary>
    public static string Change(double ratio)
    {
        var text = Clean(((ratio - 1) * 100).ToString("0", Invariant));
        return (text.StartsWith('-') ? text : "+" + text) + "%";
    }

    /// <summary>4.3 ms, 52 ms, 1,250 ms</summary>
    public static string Milliseconds(double milliseconds) =>
        (milliseconds < 10 ? milliseconds.ToString("0.0", Invariant) : milliseconds.ToString("N0", Invariant)) + " ms";

    /// <summary>A setting as written: 1, 0.5, 10</summary>
    public static string Plain(double value) => value.ToString("0.###", Invariant);

    /// <summary>99.5% for α = 0.005</summary>
    public static string Level(double alpha) => Plain((1 - alpha) * 100) + "%";

    public static string LowerFirst(string sentence) =>
        sentence.Length == 0 ? sentence : char.ToLowerInvariant(sentence[0]) + sentence[1..];

    /// <summary>Joins sentences into one: "A; b; c."</summary>
    public static string Join(IEnumerable<string> sentences)
    {
        var parts = sentences.Select(s => s.TrimEnd('.')).ToList();
        return parts.Count == 0 ? "" : string.Join("; ", parts.Select((s, i) => i == 0 ? s : LowerFirst(s))) + ".";
    }

    private static string PercentWith(double fraction, int decimals) =>
        Clean((fraction * 100).ToString("F" + decimals.ToString(Invariant), Invariant)) + "%";

    private static string SignedPoints(double fraction, int decimals)
    {
        var text = Clean((fraction * 100).ToString("F" + decimals.ToString(Invariant), Invariant));
        return text.StartsWith('-') ? text : "+" + text;
    }

    private static string Apart(Func<int, string> value, Func<int, string> reference, bool differs)
    {
        var decimals = 1;
        while (differs && decimals < 4 && value(decimals) == reference(decimals))
        {
            decimals++;
        }

        return value(decimals);
    }

    // "-0.0" after rounding a tiny negative reads as a decrease that is not there.
    private static string Clean(string number) => number.StartsWith('-') && number.Trim('-', '0', '.').Length == 0 ? number[1..] : number;
}
