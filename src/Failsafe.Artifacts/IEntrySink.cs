namespace Failsafe.Artifacts;

/// <summary>
/// Where entries go once <see cref="ExtractionSession"/> has accepted them: the disk when extracting,
/// nowhere when verifying. Every rule lives in the session, so both refuse the same artifacts with
/// the same words; a sink only adds the checks that need a real destination.
/// </summary>
internal interface IEntrySink
{
    /// <summary>Called after every lexical and manifest rule has passed, before anything is created.</summary>
    void CheckPlace(string entryName, string path);

    void CreateDirectory(string path, UnixFileMode mode);

    void CreateSymlink(string path, string target);

    /// <summary>
    /// Gives <paramref name="writeContent"/> the stream the file's content goes to; the content is
    /// checked while it is written, and the file is kept only if that succeeds.
    /// </summary>
    Task WriteFileAsync(string path, UnixFileMode mode, Func<Stream, Task> writeContent);

    /// <summary>After the last entry and the end of the archive have been checked.</summary>
    void Complete();
}
