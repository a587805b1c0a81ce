namespace Failsafe.ControlPlane.Storage;

/// <summary>Release ids as agents name their directories: <c>&lt;version&gt;-&lt;first 12 hex of the SHA-256&gt;</c>.</summary>
internal static class ReleaseIds
{
    private const int HashLength = 12;

    public static string For(string version, string sha256) => $"{version}-{sha256[..HashLength]}";

    /// <summary>The version part of a release id, or the id itself when it has no hash suffix.</summary>
    public static string VersionOf(string releaseId)
    {
        var dash = releaseId.LastIndexOf('-');
        return dash > 0 && releaseId.Length - dash - 1 == HashLength && releaseId[(dash + 1)..].All(char.IsAsciiHexDigitLower)
            ? releaseId[..dash]
            : releaseId;
    }
}
