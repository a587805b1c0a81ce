namespace Failsafe.Artifacts;

internal static class ArtifactFile
{
    /// <summary>Opens an artifact for one sequential read; a missing or unreadable file is an <see cref="ArtifactException"/>.</summary>
    public static FileStream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArtifactException($"Cannot open artifact '{path}': {ex.Message}", ex);
        }
    }
}
