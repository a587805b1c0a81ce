using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Failsafe.ControlPlane.Analysis;

/// <summary>
/// Fills the placeholders of a PromQL query template. {{service}} and {{version}} go into string literals
/// only, escaped for the kind of literal they stand in, so a version such as <c>1.0",version!="</c> stays a
/// label value and cannot widen the query. {{window}} becomes a duration in whole seconds.
/// </summary>
internal static partial class PromQlTemplate
{
    /// <summary>
    /// The shortest range a query gets. increase() needs two samples in its range; at the common 15 s scrape
    /// interval 30 s always holds two. A rollout's window starts at zero, so without this floor its first
    /// queries would ask for "1s" and read nothing.
    /// </summary>
    public static readonly TimeSpan MinimumWindow = TimeSpan.FromSeconds(30);

    private const string Placeholders = "{{service}}, {{version}} and {{window}}";

    /// <summary>The window as a PromQL duration: whole seconds rounded up, at least <see cref="MinimumWindow"/>.</summary>
    public static string Duration(TimeSpan window)
    {
        var seconds = Math.Max(Math.Ceiling(window.TotalSeconds), MinimumWindow.TotalSeconds);
        return string.Create(CultureInfo.InvariantCulture, $"{(long)seconds}s");
    }

    /// <summary>Throws <see cref="PrometheusQueryException"/> when the template could never be rendered safely, whatever the values.</summary>
    public static void Check(string name, string? template) => Render(name, template, "service", "version", MinimumWindow);

    public static string Render(string name, string? template, string service, string version, TimeSpan window)
    {
        if (string.IsNullOrWhiteSpace(template))
        {
            throw new PrometheusQueryException($"The {name} query is empty; it needs PromQL with {Placeholders} placeholders.");
        }

        var output = new StringBuilder(template.Length + 64);
        var context = Context.Code;
        var hasVersion = false;
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] == '{' && PlaceholderPattern().Match(template, i) is { Success: true } placeholder)
            {
                var key = placeholder.Groups[1].Value;
                if (key == "window")
                {
                    output.Append(Duration(window));
                }
                else if (key is "service" or "version")
                {
                    hasVersion |= key == "version";
                    output.Append(Literal(name, key, key == "service" ? service : version, context));
                }
                else
                {
                    throw new PrometheusQueryException($"The {name} query has an unknown placeholder {{{{{key}}}}}; the placeholders are {Placeholders}.");
                }

                i += placeholder.Length - 1;
                continue;
            }

            var c = template[i];
            output.Append(c);
            switch (context)
            {
                case Context.Code when c == '"':
                    context = Context.DoubleQuoted;
                    break;
                case Context.Code when c == '\'':
                    context = Context.SingleQuoted;
                    break;
                case Context.Code when c == '`':
                    context = Context.Raw;
                    break;
                case Context.Code when c == '#':
                    context = Context.Comment;
                    break;
                case Context.DoubleQuoted or Context.SingleQuoted when c == '\\' && i + 1 < template.Length:
                    output.Append(template[++i]);
                    break;
                case Context.DoubleQuoted when c == '"':
                case Context.SingleQuoted when c == '\'':
                case Context.Raw when c == '`':
                case Context.Comment when c == '\n':
                    context = Context.Code;
                    break;
            }
        }

        // Without the version both sides would read the same numbers, and a bad canary would pass as "no difference".
        if (!hasVersion)
        {
            throw new PrometheusQueryException($"The {name} query must contain {{{{version}}}} (e.g. version=\"{{{{version}}}}\"), or canary and stable would read the same numbers.");
        }

        return output.ToString();
    }

    /// <summary>A PromQL string literal's content: Go-style escapes, which PromQL uses for both quote kinds.</summary>
    public static string Escape(string value, char quote)
    {
        var escaped = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    escaped.Append(@"\\");
                    break;
                case '\n':
                    escaped.Append(@"\n");
                    break;
                case '\r':
                    escaped.Append(@"\r");
                    break;
                case '\t':
                    escaped.Append(@"\t");
                    break;
                case var q when q == quote:
                    escaped.Append('\\').Append(q);
                    break;
                case < ' ' or '\x7f':
                    escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    break;
                default:
                    escaped.Append(c);
                    break;
            }
        }

        return escaped.ToString();
    }

    /// <summary>The template text with runs of white space as single spaces, for one-line messages.</summary>
    public static string OneLine(string text) => WhiteSpace().Replace(text, " ").Trim();

    private static string Literal(string name, string key, string value, Context context) => context switch
    {
        Context.DoubleQuoted => Escape(value, '"'),
        Context.SingleQuoted => Escape(value, '\''),
        Context.Raw when !value.Contains('`', StringComparison.Ordinal) => value,
        Context.Raw => throw new PrometheusQueryException(
            $"The {key} \"{OneLine(value)}\" holds a backtick, which the raw string around {{{{{key}}}}} in the {name} query cannot hold; use double quotes there."),
        _ => throw new PrometheusQueryException(
            $"In the {name} query {{{{{key}}}}} must stand inside a quoted string, e.g. {key}=\"{{{{{key}}}}}\", so its value cannot change the query."),
    };

    [GeneratedRegex(@"\G\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")]
    private static partial Regex PlaceholderPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    private enum Context
    {
        Code,
        DoubleQuoted,
        SingleQuoted,
        Raw,
        Comment,
    }
}
