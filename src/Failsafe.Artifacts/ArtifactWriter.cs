using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Failsafe.Artifacts;

/// <summary>Writes the gzip-compressed tar: the manifest, then each entry in manifest order.</summary>
internal static class ArtifactWriter
{
    private const UnixFileMode ManifestMode = (UnixFileMode)0x1A4; // 0644

    public static async Task<(string Sha256, long Size)> WriteAsync(
        ReleaseManifest manifest, IReadOnlyList<SourceEntry> sources, Stream output, CancellationToken ct)
    {
        using var hashing = new HashingWriteStream(output);
        var gzip = new GZipStream(hashing, CompressionLevel.Optimal, leaveOpen: true);
        await using (gzip)
        {
            var tar = new TarWriter(gzip, TarEntryFormat.Gnu, leaveOpen: true);
            await using (tar)
            {
                var manifestEntry = TarEntries.Create(TarEntryType.RegularFile, ArtifactLayout.ManifestEntryName, ManifestMode, manifest.CreatedAt);
                manifestEntry.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(ManifestJson.Serialize(manifest)));
                await tar.WriteEntryAsync(manifestEntry, ct);
                for (var i = 0; i < sources.Count; i++)
                {
                    await WriteEntryAsync(tar, manifest.Files[i], sources[i], manifest.CreatedAt, ct);
                }
            }
        }

        await hashing.FlushAsync(ct);
        return (hashing.Sha256, hashing.Written);
    }

    private static async Task WriteEntryAsync(TarWriter tar, ManifestEntry entry, SourceEntry source, DateTimeOffset time, CancellationToken ct)
    {
        var name = ArtifactLayout.FilesPrefix + entry.Path;
        var mode = ModeText.Parse(entry.Mode);
        switch (entry.Type)
        {
            case EntryTypes.Directory:
                await tar.WriteEntryAsync(TarEntries.Create(TarEntryType.Directory, name, mode, time), ct);
                break;
            case EntryTypes.Symlink:
                await tar.WriteEntryAsync(TarEntries.Create(TarEntryType.SymbolicLink, name, mode, time, entry.LinkTarget), ct);
                break;
            default:
                var data = new SourceFileStream(SourceFiles.OpenRead(source), entry.Path, entry.Size, entry.Sha256!);
                await using (data)
                {
                    var tarEntry = TarEntries.Create(TarEntryType.RegularFile, name, mode, time);
                    tarEntry.DataStream = data;
                    await tar.WriteEntryAsync(tarEntry, ct);
                    data.VerifyComplete();
                }

                break;
        }
    }
}
