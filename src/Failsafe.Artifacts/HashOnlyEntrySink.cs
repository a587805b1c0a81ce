namespace Failsafe.Artifacts;

/// <summary>
/// Verification: creates nothing. File content still flows through the session's copy, which
/// caps, counts and hashes it; it is only written to <see cref="Stream.Null"/>.
/// </summary>
internal sealed class HashOnlyEntrySink : IEntrySink
{
    public static HashOnlyEntrySink Instance { get; } = new();

    private HashOnlyEntrySink()
    {
    }

    public void CheckPlace(string entryName, string path)
    {
    }

    public void CreateDirectory(string path, UnixFileMode mode)
    {
    }

    public void CreateSymlink(string path, string target)
    {
    }

    public Task WriteFileAsync(string path, UnixFileMode mode, Func<Stream, Task> writeContent) => writeContent(Stream.Null);

    public void Complete()
    {
    }
}
