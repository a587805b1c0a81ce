using System.Security.Cryptography;

namespace Failsafe.ControlPlane.Blobs;

/// <summary>Blobs as files: <c>blobs/sha256/&lt;first 2 hex&gt;/&lt;64 hex&gt;</c>, published by an atomic rename.</summary>
internal sealed class FileBlobStore : IBlobStore
{
    /// <summary>An upload left alone this long was cut by a crash; younger ones may be another replica's, in progress.</summary>
    public static readonly TimeSpan AbandonedUploadAge = TimeSpan.FromHours(1);

    private const int BufferSize = 1 << 20;
    private readonly string _root;
    private readonly string _tempDirectory;

    public FileBlobStore(string blobsDirectory, TimeProvider? time = null)
    {
        _root = Path.Combine(blobsDirectory, "sha256");
        _tempDirectory = Path.Combine(blobsDirectory, "tmp");
        Directory.CreateDirectory(_root);
        Directory.CreateDirectory(_tempDirectory);

        // Leftovers of uploads interrupted by a crash are never referenced. Replicas share this folder: a replica that
        // starts must not delete the upload another one is receiving or verifying (that push would fail with a 500).
        var abandonedBefore = (time ?? TimeProvider.System).GetUtcNow() - AbandonedUploadAge;
        foreach (var stale in Directory.EnumerateFiles(_tempDirectory))
        {
            if (File.GetLastWriteTimeUtc(stale) < abandonedBefore.UtcDateTime)
            {
                File.Delete(stale);
            }
        }
    }

    public static bool IsValidHash(string? sha256) => sha256 is { Length: 64 } && sha256.All(char.IsAsciiHexDigitLower);

    public bool Exists(string sha256) => IsValidHash(sha256) && File.Exists(FinalPath(sha256));

    public string? PathOf(string sha256) => Exists(sha256) ? FinalPath(sha256) : null;

    public Stream OpenRead(string sha256) =>
        new FileStream(PathOf(sha256) ?? throw new FileNotFoundException($"No blob {sha256}."), FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);

    public async Task<StagedBlob> StageAsync(Stream content, CancellationToken cancellationToken)
    {
        var tempPath = Path.Combine(_tempDirectory, Guid.NewGuid().ToString("N"));
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            await using (var file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, useAsync: true))
            {
                var buffer = new byte[BufferSize];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    size += read;
                }

                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            return new StagedBlob(tempPath, Convert.ToHexStringLower(hash.GetHashAndReset()), size, CommitAsync);
        }
        catch
        {
            File.Delete(tempPath);
            throw;
        }
    }

    public async Task<(string Sha256, long Size)> PutAsync(Stream content, CancellationToken cancellationToken)
    {
        await using var staged = await StageAsync(content, cancellationToken).ConfigureAwait(false);
        await staged.CommitAsync().ConfigureAwait(false);
        return (staged.Sha256, staged.Size);
    }

    private Task CommitAsync(StagedBlob staged)
    {
        var finalPath = FinalPath(staged.Sha256);
        if (File.Exists(finalPath))
        {
            // Same hash, same bytes: the blob is already there.
            File.Delete(staged.TempPath);
            return Task.CompletedTask;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(finalPath)!);
        File.Move(staged.TempPath, finalPath, overwrite: true);
        return Task.CompletedTask;
    }

    private string FinalPath(string sha256) => Path.Combine(_root, sha256[..2], sha256);
}
