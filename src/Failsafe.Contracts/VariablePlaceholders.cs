using System.Text.RegularExpressions;

namespace Failsafe.Contracts;

/// <summary>
/// <c>#{NAME}</c>, the one placeholder syntax of variables: in <c>failsafe.yaml</c> (entry, hooks, other values) and in
/// the release files a service asks to have substituted at install. Chosen over <c>${NAME}</c> so that shell commands
/// and files full of shell or .NET syntax keep their own meaning; <c>##{NAME}</c> writes a literal <c>#{NAME}</c>.
/// </summary>
public static partial class VariablePlaceholders
{
    /// <summary>What a variable's name may be: the names a POSIX environment accepts without quoting.</summary>
    public const string NamePattern = "[A-Za-z_][A-Za-z0-9_]*";

    [GeneratedRegex("#?#\\{(" + NamePattern + ")\\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex("^" + NamePattern + "$")]
    private static partial Regex Name();

    public static bool IsValidName(string name) => Name().IsMatch(name);

    /// <summary>The names <paramref name="text"/> refers to, in order of first use (escaped ones excluded).</summary>
    public static IReadOnlyList<string> Names(string text)
    {
        var names = new List<string>();
        foreach (Match m in Placeholder().Matches(text))
        {
            if (!m.Value.StartsWith("##", StringComparison.Ordinal) && !names.Contains(m.Groups[1].Value))
            {
                names.Add(m.Groups[1].Value);
            }
        }

        return names;
    }

    /// <summary>Replaces each placeholder with its value; <paramref name="missing"/> gets the names <paramref name="lookup"/> did not know (left as written).</summary>
    public static string Replace(string text, Func<string, string?> lookup, List<string> missing)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        ArgumentNullException.ThrowIfNull(missing);
        return Placeholder().Replace(text, m =>
        {
            if (m.Value.StartsWith("##", StringComparison.Ordinal))
            {
                return m.Value[1..];
            }

            var name = m.Groups[1].Value;
            if (lookup(name) is { } value)
            {
                return value;
            }

            if (!missing.Contains(name))
            {
                missing.Add(name);
            }

            return m.Value;
        });
    }
}
