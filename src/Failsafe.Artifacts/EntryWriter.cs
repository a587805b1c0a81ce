using System.Buffers;
using System.Formats.Tar;
using System.Security.Cryptography;

namespace Failsafe.Artifacts;

/// <summary>
/// Creates one checked entry on disk. Nothing here overwrites: files are created with O_EXCL,
/// symlink(2) fails on an existing name, and the caller has checked that the name is free.
/// </summary>
internal static class EntryWriter
{
    // Directories stay owner-writable until every child exists; their final modes come last.
    private const UnixFileMode WorkingDirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const int BufferSize = 1 << 16;

    public static void CreateDirectory(string fullPath) => Directory.CreateDirectory(fullPath, WorkingDirectoryMode);

    public static void CreateSymlink(string fullPath, string target) => File.CreateSymbolicLink(fullPath, target);

    /// <summary>
    /// Copies at most the manifest's size, hashing as it writes, then applies the mode and fsyncs.
    /// The header's size has already been compared with the manifest; the cap does not trust it.
    /// </summary>
    public static async Task WriteFileAsync(
        ArtifactTarStream reader, TarEntry entry, ManifestEntry expected, string fullPath, ExtractionBudget budget, CancellationToken ct)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        var file = new FileStream(fullPath, options);
        try
        {
            await using (file)
            {
                long written = 0;
                var data = entry.DataStream ?? Stream.Null;
                int n;
                while ((n = await reader.ReadAsync(data, buffer.AsMemory(0, BufferSize), ct)) > 0)
                {
                    if (n > expected.Size - written)
                    {
                        throw ArtifactErrors.Refused(entry.Name, $"its data is larger than the {expected.Size} bytes the manifest declares");
                    }

                    budget.CountBytes(entry.Name, n);
                    hash.AppendData(buffer, 0, n);
                    await file.WriteAsync(buffer.AsMemory(0, n), ct);
                    written += n;
                }

                if (written != expected.Size)
                {
                    throw ArtifactErrors.Corrupt($"entry '{entry.Name}' ends after {written} of its {expected.Size} bytes");
                }

                if (Convert.ToHexStringLower(hash.GetHashAndReset()) != expected.Sha256)
                {
                    throw ArtifactErrors.Refused(entry.Name, "its content does not match the SHA-256 in the manifest (the artifact is corrupt or was tampered with)");
                }

                File.SetUnixFileMode(file.SafeFileHandle, ModeText.Parse(expected.Mode));
                file.Flush(flushToDisk: true);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
