using System.Data.Common;
using System.Text.RegularExpressions;
using Npgsql;

namespace Failsafe.ControlPlane.Storage;

/// <summary>
/// Keeps a PostgreSQL connection string's password out of what people read: messages name the server and the
/// database, never the password, even when the string cannot be parsed.
/// </summary>
internal static partial class PostgresConnectionString
{
    private const string Hidden = "***";

    /// <summary>Npgsql's keywords for the password (case-insensitive).</summary>
    private static readonly string[] PasswordKeywords = ["password", "pwd", "psw"];

    /// <summary>Where the database is, for messages: <c>postgresql://host:port/database</c>.</summary>
    public static string Describe(NpgsqlConnectionStringBuilder builder) =>
        $"postgresql://{builder.Host ?? "localhost"}:{builder.Port}/{builder.Database ?? builder.Username ?? "?"}";

    /// <summary>The connection string with its password replaced by <c>***</c>.</summary>
    public static string Redact(string connectionString)
    {
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
            foreach (var keyword in PasswordKeywords)
            {
                if (builder.ContainsKey(keyword))
                {
                    builder[keyword] = Hidden;
                }
            }

            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return PasswordPair().Replace(connectionString, m => $"{m.Groups["key"].Value}={Hidden}");
        }
    }

    /// <summary><paramref name="message"/> with every occurrence of <paramref name="connectionString"/>'s password replaced by <c>***</c>.</summary>
    public static string Scrub(string message, string connectionString)
    {
        foreach (var password in Passwords(connectionString))
        {
            message = message.Replace(password, Hidden, StringComparison.Ordinal);
        }

        return message;
    }

    /// <summary>The password as written (quotes and all) and as meant, longest first so a quoted one goes whole.</summary>
    private static IEnumerable<string> Passwords(string connectionString)
    {
        var found = new List<string>();
        foreach (Match match in PasswordPair().Matches(connectionString))
        {
            var raw = match.Groups["value"].Value.Trim();
            found.Add(raw);
            if (raw.Length >= 2 && (raw[0] == '\'' || raw[0] == '"') && raw[^1] == raw[0])
            {
                found.Add(raw[1..^1]);
            }
        }

        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
            foreach (var keyword in PasswordKeywords)
            {
                if (builder.TryGetValue(keyword, out var value) && value?.ToString() is { Length: > 0 } password)
                {
                    found.Add(password);
                }
            }
        }
        catch (ArgumentException)
        {
            // Not parseable: what the pattern found has to do.
        }

        return found.Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(p => p.Length);
    }

    [GeneratedRegex("""(?<key>(?:^|(?<=;))\s*(?:password|pwd|psw)\s*)=(?<value>'[^']*'|"[^"]*"|[^;]*)""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordPair();
}
