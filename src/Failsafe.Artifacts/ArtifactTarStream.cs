using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Failsafe.Artifacts;

/// <summary>
/// Sequential access to an artifact's tar entries over gzip, turning every way a damaged stream
/// can fail inside GZipStream or TarReader into one <see cref="ArtifactException"/>.
/// </summary>
internal sealed class ArtifactTarStream : IAsyncDisposable
{
    public const int MaxManifestBytes = 64 << 20;
    private const int MaxTrailingBytes = 1 << 20;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly GZipStream _gzip;
    private readonly TarReader _tar;
    private string? _lastEntryName;

    public ArtifactTarStream(Stream artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        _gzip = new GZipStream(artifact, CompressionMode.Decompress, leaveOpen: true);
        _tar = new TarReader(_gzip, leaveOpen: true);
    }

    public async Task<TarEntry?> NextAsync(CancellationToken ct)
    {
        try
        {
            var entry = await _tar.GetNextEntryAsync(copyData: false, ct);
            _lastEntryName = entry?.Name ?? _lastEntryName;
            return entry;
        }
        catch (Exception ex) when (IsDamage(ex))
        {
            throw Damaged(ex);
        }
    }

    public async ValueTask<int> ReadAsync(Stream entryData, Memory<byte> buffer, CancellationToken ct)
    {
        try
        {
            return await entryData.ReadAsync(buffer, ct);
        }
        catch (Exception ex) when (IsDamage(ex))
        {
            throw Damaged(ex);
        }
    }

    /// <summary>Reads entry 0, which must be the manifest, and validates it.</summary>
    public async Task<ReleaseManifest> ReadManifestAsync(CancellationToken ct)
    {
        var entry = await NextAsync(ct) ?? throw ArtifactErrors.Corrupt("it holds no entries");
        var name = ArtifactLayout.ManifestEntryName;
        if (entry.Name != name)
        {
            throw ArtifactErrors.Refused(entry.Name, $"the first entry must be '{name}'");
        }

        if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
        {
            throw ArtifactErrors.Refused(name, "it is not a regular file");
        }

        if (entry.Length > MaxManifestBytes)
        {
            throw ArtifactErrors.Refused(name, $"it is larger than {MaxManifestBytes >> 20} MiB");
        }

        var bytes = new byte[entry.Length];
        var read = 0;
        while (read < bytes.Length)
        {
            var n = await ReadAsync(entry.DataStream!, bytes.AsMemory(read), ct);
            read += n > 0 ? n : throw ArtifactErrors.Corrupt($"entry '{name}' ends early");
        }

        string json;
        try
        {
            json = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw ArtifactErrors.Refused(name, "it is not valid UTF-8");
        }

        return ManifestJson.Deserialize(json, name);
    }

    /// <summary>
    /// After the end-of-archive marker only zero padding may follow. Reading to the end also makes
    /// GZipStream check its CRC.
    /// </summary>
    public async Task DrainAsync(CancellationToken ct)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = await ReadAsync(_gzip, buffer, ct)) > 0)
        {
            total += n;
            if (total > MaxTrailingBytes || buffer.AsSpan(0, n).ContainsAnyExcept((byte)0))
            {
                throw ArtifactErrors.Corrupt("it has data after its last entry");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _tar.DisposeAsync();
        await _gzip.DisposeAsync();
    }

    // What GZipStream and TarReader throw for damaged input (ArgumentException: a malformed field
    // such as a negative size; InvalidOperationException: an oversized metadata block).
    private static bool IsDamage(Exception ex) =>
        ex is InvalidDataException or EndOfStreamException or FormatException or OverflowException
            or ArgumentException or NotSupportedException
            || (ex is InvalidOperationException && ex is not ObjectDisposedException);

    private ArtifactException Damaged(Exception ex)
    {
        var where = _lastEntryName is null ? "at its start" : $"after entry '{_lastEntryName}'";
        return ArtifactErrors.Corrupt($"{where}: {ex.Message.ReplaceLineEndings(" ").TrimEnd('.')}", ex);
    }
}
