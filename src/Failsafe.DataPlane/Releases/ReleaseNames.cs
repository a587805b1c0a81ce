using System.Text.RegularExpressions;

namespace Failsafe.DataPlane;

/// <summary>A release directory is named <c>&lt;version&gt;-&lt;id&gt;</c>, the id being the first 12 hex characters of the artifact's SHA-256.</summary>
internal static partial class ReleaseNames
{
    public const int IdLength = 12;

    public static string IdOf(string sha256) => sha256[..IdLength].ToLowerInvariant();

    public static string For(string version, string sha256) => $"{version}-{IdOf(sha256)}";

    /// <summary>True for a name a release directory can have: no path separators, no leading dot, ends with a 12-hex id.</summary>
    public static bool IsReleaseName(string? name) => name is not null && ReleaseNamePattern().IsMatch(name);

    public static bool IsReleaseId(string? id) => id is not null && IdPattern().IsMatch(id);

    public static bool IsSha256(string? sha256) => sha256 is not null && Sha256Pattern().IsMatch(sha256);

    public static string? IdFromName(string name) => IsReleaseName(name) ? name[^IdLength..] : null;

    public static string? VersionFromName(string name) => IsReleaseName(name) ? name[..^(IdLength + 1)] : null;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._+-]*-[0-9a-f]{12}$")]
    private static partial Regex ReleaseNamePattern();

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Pattern();

    [GeneratedRegex("^[0-9a-f]{12}$")]
    private static partial Regex IdPattern();
}
