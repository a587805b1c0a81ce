using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Failsafe.Artifacts;

namespace Failsafe.Artifacts.Tests.Support;

/// <summary>
/// Builds artifacts by hand, valid or not: every entry can be listed in the manifest, written to
/// the tar, or both, and the manifest can be edited or moved, so each test adds exactly one attack
/// to an otherwise valid artifact. The manifest lists entries in ordinal order; the tar holds
/// them in the order they were added.
/// </summary>
internal sealed class ArtifactBuilder
{
    public static readonly DateTimeOffset Time = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly List<ManifestEntry> _listed = [];
    private readonly List<TarEntry> _tar = [];

    /// <summary>Where the manifest goes among the tar entries (0 = first, as the format requires).</summary>
    public int ManifestPosition { get; set; }

    public Func<ReleaseManifest, ReleaseManifest> EditManifest { get; set; } = m => m;

    public ReleaseManifest Manifest => EditManifest(new ReleaseManifest(
        ReleaseManifest.CurrentFormatVersion,
        "billing-api",
        "1.4.2",
        Time,
        "bin/run.sh --port $PORT",
        new HealthCheckSpec("/healthz"),
        [new HookSpec(HookNames.PreActivate, "bin/migrate.sh")],
        _listed.Sum(e => e.Size),
        _listed.Count,
        [.. _listed.OrderBy(e => e.Path, StringComparer.Ordinal)]));

    public ArtifactBuilder Directory(string path, string mode = "0755", bool listed = true, bool inTar = true) =>
        Add(new ManifestEntry(path, EntryTypes.Directory, 0, mode, null), listed, inTar ? Entry(TarEntryType.Directory, path, mode) : null);

    public ArtifactBuilder File(string path, string content, string mode = "0644", bool listed = true, bool inTar = true) =>
        File(path, Encoding.UTF8.GetBytes(content), mode, listed, inTar);

    public ArtifactBuilder File(string path, byte[] content, string mode = "0644", bool listed = true, bool inTar = true)
    {
        var entry = inTar ? Entry(TarEntryType.RegularFile, path, mode) : null;
        entry?.DataStream = new MemoryStream(content);
        return Add(new ManifestEntry(path, EntryTypes.File, content.Length, mode, Sha256Hex.Of(content)), listed, entry);
    }

    public ArtifactBuilder Symlink(string path, string target, bool listed = true, bool inTar = true)
    {
        var entry = inTar ? Entry(TarEntryType.SymbolicLink, path, "0777") : null;
        entry?.LinkName = target;
        return Add(new ManifestEntry(path, EntryTypes.Symlink, 0, "0777", null, target), listed, entry);
    }

    /// <summary>Lists an entry in the manifest only.</summary>
    public ArtifactBuilder List(ManifestEntry entry) => Add(entry, listed: true, tarEntry: null);

    /// <summary>Writes a raw tar entry only; <paramref name="entry"/>'s name is the full tar name.</summary>
    public ArtifactBuilder Raw(TarEntry entry) => Add(null, listed: false, entry);

    public byte[] Build()
    {
        var manifestEntry = new GnuTarEntry(TarEntryType.RegularFile, ArtifactLayout.ManifestEntryName)
        {
            Mode = (UnixFileMode)0x1A4,
            ModificationTime = Time,
            DataStream = new MemoryStream(Encoding.UTF8.GetBytes(ManifestJson.Serialize(Manifest))),
        };
        var entries = _tar.ToList();
        entries.Insert(ManifestPosition, manifestEntry);

        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var writer = new TarWriter(gzip, TarEntryFormat.Gnu, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                entry.DataStream?.Position = 0;
                writer.WriteEntry(entry);
            }
        }

        return output.ToArray();
    }

    /// <summary>A tar entry under files/ with the builder's timestamp.</summary>
    public static GnuTarEntry Entry(TarEntryType type, string path, string mode = "0644") =>
        new(type, ArtifactLayout.FilesPrefix + path) { Mode = (UnixFileMode)Convert.ToInt32(mode, 8), ModificationTime = Time };

    private ArtifactBuilder Add(ManifestEntry? manifestEntry, bool listed, TarEntry? tarEntry)
    {
        if (listed && manifestEntry is not null)
        {
            _listed.Add(manifestEntry);
        }

        if (tarEntry is not null)
        {
            _tar.Add(tarEntry);
        }

        return this;
    }
}
