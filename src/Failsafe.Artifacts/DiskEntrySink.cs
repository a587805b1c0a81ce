namespace Failsafe.Artifacts;

/// <summary>
/// Creates accepted entries under the destination. Nothing here overwrites: files are created with
/// O_EXCL, symlink(2) fails on an existing name, and <see cref="CheckPlace"/> has checked that the
/// name is free and that its parent really is a directory on disk.
/// </summary>
internal sealed class DiskEntrySink(string root) : IEntrySink
{
    // Directories stay owner-writable until every child exists; their final modes come last.
    private const UnixFileMode WorkingDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly List<(string FullPath, UnixFileMode Mode)> _directories = [];

    /// <summary>
    /// The session has already placed the entry lexically (its parent came before it as a
    /// directory); this checks what is really on disk, which is what the kernel will follow.
    /// </summary>
    public void CheckPlace(string entryName, string path)
    {
        var parent = EntryPathRules.ParentOf(path);
        if (parent.Length > 0)
        {
            var onDisk = PosixFile.TryLstat(Path.Join(root, parent))?.Kind switch
            {
                null => null,
                PosixFileKind.Directory => EntryTypes.Directory,
                PosixFileKind.Symlink => EntryTypes.Symlink,
                _ => EntryTypes.File,
            };
            var problem = EntryPathRules.ProblemWithParent(ArtifactLayout.FilesPrefix + parent, onDisk);
            if (problem is not null)
            {
                throw ArtifactErrors.Refused(entryName, problem);
            }
        }

        if (PosixFile.TryLstat(Path.Join(root, path)) is not null)
        {
            throw ArtifactErrors.Refused(entryName, "it already exists in the destination");
        }
    }

    public void CreateDirectory(string path, UnixFileMode mode)
    {
        var fullPath = Path.Join(root, path);
        Directory.CreateDirectory(fullPath, WorkingDirectoryMode);
        _directories.Add((fullPath, mode));
    }

    public void CreateSymlink(string path, string target) => File.CreateSymbolicLink(Path.Join(root, path), target);

    /// <summary>The mode is applied only once the content has passed its checks; <see cref="Complete"/> makes it durable.</summary>
    public async Task WriteFileAsync(string path, UnixFileMode mode, Func<Stream, Task> writeContent)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        var file = new FileStream(Path.Join(root, path), options);
        await using (file)
        {
            await writeContent(file);
            File.SetUnixFileMode(file.SafeFileHandle, mode);
        }
    }

    /// <summary>
    /// Modes deepest first, so no directory loses its write bit before its children are done; then
    /// one syncfs makes every file and directory durable before the caller renames the release into place.
    /// </summary>
    public void Complete()
    {
        for (var i = _directories.Count - 1; i >= 0; i--)
        {
            var (fullPath, mode) = _directories[i];
            File.SetUnixFileMode(fullPath, mode);
        }

        PosixFile.SyncFileSystem(root);
    }
}
