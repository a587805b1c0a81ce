using System.Globalization;
using System.Text.RegularExpressions;

namespace Failsafe.Config.Validation;

/// <summary>Durations and percentages as people write them, with the sentence that says what is wrong otherwise.</summary>
internal static partial class ScalarText
{
    [GeneratedRegex("^([0-9]+(ms|h|m|s))+$")]
    private static partial Regex DurationPattern();

    [GeneratedRegex("([0-9]+)(ms|h|m|s)")]
    private static partial Regex DurationPart();

    [GeneratedRegex("^[0-9]+(\\.[0-9]+)?$")]
    private static partial Regex BareNumber();

    [GeneratedRegex("^([0-9]+(\\.[0-9]+)?)%$")]
    private static partial Regex PercentPattern();

    /// <summary>The JSON Schema patterns of the same syntax.</summary>
    public const string DurationJsonPattern = "^([0-9]+(ms|h|m|s))+$";

    public const string PercentJsonPattern = "^[0-9]+(\\.[0-9]+)?%$";

    public static bool TryDuration(string text, out int seconds, out string? problem)
    {
        seconds = 0;
        problem = null;
        if (BareNumber().IsMatch(text))
        {
            problem = $"'{text}' has no unit: write {text}s";
            return false;
        }

        if (!DurationPattern().IsMatch(text))
        {
            problem = $"'{text}' is not a duration: use s, m or h, e.g. 90s or 2m";
            return false;
        }

        long milliseconds = 0;
        foreach (Match part in DurationPart().Matches(text))
        {
            if (part.Groups[1].Value.Length > 9)
            {
                problem = $"'{text}' is too long";
                return false;
            }

            var n = long.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            milliseconds += part.Groups[2].Value switch
            {
                "ms" => n,
                "s" => n * 1000,
                "m" => n * 60_000,
                _ => n * 3_600_000,
            };
        }

        if (milliseconds % 1000 != 0)
        {
            problem = $"'{text}' is not a whole number of seconds";
            return false;
        }

        if (milliseconds / 1000 > int.MaxValue)
        {
            problem = $"'{text}' is too long";
            return false;
        }

        seconds = (int)(milliseconds / 1000);
        return true;
    }

    /// <summary>Seconds as the shortest duration text: 90 → "1m30s".</summary>
    public static string Duration(int seconds)
    {
        if (seconds == 0)
        {
            return "0s";
        }

        var text = "";
        if (seconds >= 3600)
        {
            text += $"{seconds / 3600}h";
        }

        if (seconds % 3600 >= 60)
        {
            text += $"{seconds % 3600 / 60}m";
        }

        if (seconds % 60 != 0)
        {
            text += $"{seconds % 60}s";
        }

        return text;
    }

    public static bool TryPercent(string text, out double percent, out string? problem)
    {
        percent = 0;
        problem = null;
        if (BareNumber().IsMatch(text))
        {
            problem = $"write {text}% not {text}";
            return false;
        }

        var match = PercentPattern().Match(text);
        if (!match.Success)
        {
            problem = $"'{text}' is not a percentage: write e.g. 5% or 0.5%";
            return false;
        }

        percent = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return true;
    }

    public static string Percent(double percent) => $"{percent.ToString(CultureInfo.InvariantCulture)}%";

    public static bool TryInteger(string text, out long value) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
