namespace Failsafe.Artifacts;

/// <summary>Reading source files with errors that name the file.</summary>
internal static class SourceFiles
{
    public static FileStream OpenRead(SourceEntry source)
    {
        try
        {
            return new FileStream(source.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new ArtifactException($"Cannot read source file '{source.Path}': {ex.Message}", ex);
        }
    }

    /// <summary>The manifest entry for <paramref name="source"/>, hashing its content if it is a file.</summary>
    public static async Task<ManifestEntry> DescribeAsync(SourceEntry source, CancellationToken ct)
    {
        var mode = ModeText.Format(source.Mode);
        if (source.Type != EntryTypes.File)
        {
            return new ManifestEntry(source.Path, source.Type, 0, mode, null, source.LinkTarget);
        }

        // Bounded to the size the scan saw (a shrunk file throws); growth is caught when the
        // second pass, which writes the tar, compares its hash with this one.
        var data = new SourceFileStream(OpenRead(source), source.Path, source.Size, "");
        await using (data)
        {
            var sha256 = await Sha256Hex.OfStreamAsync(data, ct);
            return new ManifestEntry(source.Path, EntryTypes.File, source.Size, mode, sha256);
        }
    }
}
