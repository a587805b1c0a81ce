using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Failsafe.Artifacts.Tests.Support;
using Failsafe.Tests.Common;

namespace Failsafe.Artifacts.Tests;

/// <summary>
/// One hand-made malicious or damaged artifact per case, run against both readers of artifacts
/// (<see cref="SafeExtractorSafetyTests"/>, <see cref="ArtifactVerifierSafetyTests"/>). Each must be
/// refused by both with the same <see cref="ArtifactException"/> naming the entry, and nothing
/// outside the destination may change: the destination is host/stage inside a temp folder that is
/// snapshotted whole. The verifier may not write even inside the destination.
/// </summary>
public abstract class ExtractionSafetyTests : IDisposable
{
    private const string CanaryText = "untouched";
    private readonly TempDirectory _temp = new("failsafe-attack");

    protected ExtractionSafetyTests()
    {
        // The staging directory exists before extraction, as the agent makes it: creating it
        // would change its parent's mtime, which the snapshot would rightly flag.
        Directory.CreateDirectory(Destination);
        Directory.CreateDirectory(Outside);
        File.WriteAllText(Canary, CanaryText);
    }

    protected string Destination => _temp.Combine("host/stage");

    protected string TempPath => _temp.Path;

    /// <summary>True for the extractor, which may write inside <see cref="Destination"/>.</summary>
    protected abstract bool WritesToDestination { get; }

    private string Outside => _temp.Combine("outside");

    private string Canary => _temp.Combine("host/canary.txt");

    public void Dispose()
    {
        _temp.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The base every attack starts from is accepted, so each refusal is the attack's doing.</summary>
    [Fact]
    public async Task BaseArtifact_WithoutAttack_IsAccepted()
    {
        var manifest = await RunAsync(Base().Build(), limits: null);

        Assert.Equal(3, manifest.EntryCount);
        Assert.Equal(["app", "app/a.txt", "app/link"], manifest.Files.Select(f => f.Path));
    }

    [Fact]
    public async Task AbsolutePath_IsRefused()
    {
        var target = Path.Join(Outside, "absolute.txt");
        var artifact = Base().Raw(RawFile(target, "pwned")).Build();

        await AssertRefusedAsync(artifact, $"Artifact entry '{target}' is refused: it is an absolute path.");

        Assert.False(File.Exists(target));
    }

    [Theory]
    [InlineData(false, "Artifact entry 'files/../../escaped.txt' is refused: it leaves the release directory.")]
    [InlineData(true, "Manifest entry '../../escaped.txt' is refused: it leaves the release directory.")]
    public async Task DotDotTraversal_IsRefused(bool listedInManifest, string expected)
    {
        var artifact = Base().File("../../escaped.txt", "pwned", listed: listedInManifest).Build();

        await AssertRefusedAsync(artifact, expected);

        Assert.False(File.Exists(_temp.Combine("escaped.txt")));
        Assert.False(File.Exists(_temp.Combine("host/escaped.txt")));
    }

    [Theory]
    [InlineData(false, "Artifact entry 'files/evil' is refused: its link target")]
    [InlineData(true, "Manifest entry 'evil' is refused: its link target")]
    public async Task SymlinkToAbsolutePathOutside_IsRefused(bool listedInManifest, string expected)
    {
        var artifact = Base()
            .Symlink("evil", Outside, listed: listedInManifest)
            .File("evil/planted.txt", "pwned", listed: listedInManifest)
            .Build();

        var ex = await AssertRefusedAsync(artifact, expected);

        Assert.Contains("is absolute", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Join(Outside, "planted.txt")));
    }

    [Theory]
    [InlineData(false, "Artifact entry 'files/evil' is refused: its link target '../../outside' leaves the release directory.")]
    [InlineData(true, "Manifest entry 'evil' is refused: its link target '../../outside' leaves the release directory.")]
    public async Task SymlinkToRelativePathOutside_IsRefused(bool listedInManifest, string expected)
    {
        var artifact = Base()
            .Symlink("evil", "../../outside", listed: listedInManifest)
            .File("evil/planted.txt", "pwned", listed: listedInManifest)
            .Build();

        await AssertRefusedAsync(artifact, expected);

        Assert.False(File.Exists(Path.Join(Outside, "planted.txt")));
    }

    [Theory]
    [InlineData(false, "Artifact entry 'files/app/link/planted.txt' is refused: it would be written through the symlink 'files/app/link'.")]
    [InlineData(true, "Manifest entry 'app/link/planted.txt' is refused: its parent 'app/link' is a symlink")]
    public async Task WriteThroughEarlierSymlink_IsRefused(bool listedInManifest, string expected)
    {
        var artifact = Base().File("app/link/planted.txt", "pwned", listed: listedInManifest).Build();

        await AssertRefusedAsync(artifact, expected);

        Assert.False(File.Exists(Path.Join(Destination, "app/planted.txt")));
    }

    /// <summary>Directories and symlinks are refused under a symlink too, not only files.</summary>
    [Theory]
    [InlineData(EntryTypes.Directory)]
    [InlineData(EntryTypes.Symlink)]
    [InlineData(EntryTypes.File)]
    public async Task AnyEntryTypeUnderEarlierSymlink_IsRefused(string type)
    {
        var builder = Base();
        _ = type switch
        {
            EntryTypes.Directory => builder.Directory("app/link/sub", listed: false),
            EntryTypes.Symlink => builder.Symlink("app/link/sub", "..", listed: false),
            _ => builder.File("app/link/sub", "pwned", listed: false),
        };

        await AssertRefusedAsync(builder.Build(), "Artifact entry 'files/app/link/sub' is refused: it would be written through the symlink 'files/app/link'.");

        Assert.Null(PosixFile.TryLstat(Path.Join(Destination, "app/sub")));
    }

    [Theory]
    [InlineData(false, "Artifact entry 'files/app/a.txt/planted.txt' is refused: its parent 'files/app/a.txt' is not a directory.")]
    [InlineData(true, "Manifest entry 'app/a.txt/planted.txt' is refused: its parent 'app/a.txt' is not listed before it as a directory.")]
    public async Task EntryUnderEarlierFile_IsRefused(bool listedInManifest, string expected)
    {
        var artifact = Base().File("app/a.txt/planted.txt", "pwned", listed: listedInManifest).Build();

        await AssertRefusedAsync(artifact, expected);
    }

    [Fact]
    public async Task EntryWhoseParentNeverCame_IsRefused()
    {
        var artifact = Base().File("ghost/planted.txt", "pwned", listed: false).Build();

        await AssertRefusedAsync(artifact, "Artifact entry 'files/ghost/planted.txt' is refused: its parent directory 'files/ghost' does not come before it.");

        Assert.Null(PosixFile.TryLstat(Path.Join(Destination, "ghost")));
    }

    [Fact]
    public async Task HardLink_IsRefused()
    {
        var entry = ArtifactBuilder.Entry(TarEntryType.HardLink, "hard");
        entry.LinkName = Canary;

        await AssertRefusedAsync(Base().Raw(entry).Build(), "Artifact entry 'files/hard' is refused: hard links are not allowed.");

        Assert.Null(PosixFile.TryLstat(Path.Join(Destination, "hard")));
    }

    [Fact]
    public async Task CharacterDevice_IsRefused()
    {
        var entry = ArtifactBuilder.Entry(TarEntryType.CharacterDevice, "null");
        entry.DeviceMajor = 1;
        entry.DeviceMinor = 3;

        await AssertRefusedAsync(Base().Raw(entry).Build(), "Artifact entry 'files/null' is refused: character devices are not allowed.");

        Assert.Null(PosixFile.TryLstat(Path.Join(Destination, "null")));
    }

    [Fact]
    public async Task BlockDevice_IsRefused()
    {
        var entry = ArtifactBuilder.Entry(TarEntryType.BlockDevice, "disk");
        entry.DeviceMajor = 8;
        entry.DeviceMinor = 0;

        await AssertRefusedAsync(Base().Raw(entry).Build(), "Artifact entry 'files/disk' is refused: block devices are not allowed.");

        Assert.Null(PosixFile.TryLstat(Path.Join(Destination, "disk")));
    }

    [Fact]
    public async Task Fifo_IsRefused()
    {
        var artifact = Base().Raw(ArtifactBuilder.Entry(TarEntryType.Fifo, "pipe")).Build();

        await AssertRefusedAsync(artifact, "Artifact entry 'files/pipe' is refused: FIFOs are not allowed.");

        Assert.Null(PosixFile.TryLstat(Path.Join(Destination, "pipe")));
    }

    /// <summary>An unlisted entry sent in place of a listed one, so the entry count stays within the manifest's.</summary>
    [Fact]
    public async Task EntryNotInManifest_IsRefused()
    {
        var artifact = Base().File("extra.txt", "smuggled", listed: false).File("zzz.txt", "listed", inTar: false).Build();

        await AssertRefusedAsync(artifact, "Artifact entry 'files/extra.txt' is refused: it is not listed in the manifest.");

        Assert.False(File.Exists(Path.Join(Destination, "extra.txt")));
    }

    /// <summary>The name an installer keeps its manifest copy under: a release that brought its own could forge it.</summary>
    [Theory]
    [InlineData(false, "Artifact entry 'files/.failsafe-manifest.json' is refused: its name is reserved at the release root for the manifest copy an installer keeps.")]
    [InlineData(true, "Manifest entry '.failsafe-manifest.json' is refused: its name is reserved at the release root for the manifest copy an installer keeps.")]
    public async Task InstalledManifestName_IsRefused(bool listedInManifest, string expected)
    {
        var artifact = Base().File(ArtifactLayout.InstalledManifestName, "{}", listed: listedInManifest).Build();

        await AssertRefusedAsync(artifact, expected);

        Assert.Null(PosixFile.TryLstat(Path.Join(Destination, ArtifactLayout.InstalledManifestName)));
    }

    [Fact]
    public async Task SizeLargerThanDeclared_IsRefusedBeforeWriting()
    {
        var declared = "0123456789"u8.ToArray();
        var bomb = ArtifactBuilder.Entry(TarEntryType.RegularFile, "bomb.bin");
        bomb.DataStream = new MemoryStream(new byte[10 << 20]);
        var artifact = Base()
            .List(new ManifestEntry("bomb.bin", EntryTypes.File, declared.Length, "0644", Sha256Hex.Of(declared)))
            .Raw(bomb)
            .Build();

        await AssertRefusedAsync(artifact, "Artifact entry 'files/bomb.bin' is refused: it is 10485760 bytes but the manifest declares 10.");

        Assert.False(File.Exists(Path.Join(Destination, "bomb.bin")));
    }

    [Fact]
    public async Task EntryCountPastManifest_IsRefused()
    {
        var builder = Base();
        builder.EditManifest = m => m with { Files = [.. m.Files.Take(2)], EntryCount = 2 };

        await AssertRefusedAsync(builder.Build(), "Artifact entry 'files/app/link' is refused: the artifact holds more than the 2 entries its manifest declares.");

        Assert.Null(PosixFile.TryLstat(Path.Join(Destination, "app/link")));
    }

    [Fact]
    public async Task TotalSizePastLimit_IsRefusedBeforeExtracting()
    {
        var artifact = Base().File("big.bin", new byte[1000]).Build();

        await AssertRefusedAsync(
            artifact,
            "Artifact entry 'failsafe-manifest.json' is refused: it declares 1005 bytes of files, more than the limit of 1000.",
            new ExtractLimits(MaxTotalSize: 1000));

        Assert.Empty(Directory.GetFileSystemEntries(Destination));
    }

    [Fact]
    public async Task EntryCountPastLimit_IsRefusedBeforeExtracting()
    {
        await AssertRefusedAsync(
            Base().Build(),
            "Artifact entry 'failsafe-manifest.json' is refused: it declares 3 entries, more than the limit of 2.",
            new ExtractLimits(MaxEntryCount: 2));

        Assert.Empty(Directory.GetFileSystemEntries(Destination));
    }

    [Fact]
    public async Task HashMismatch_IsRefused()
    {
        var forged = ArtifactBuilder.Entry(TarEntryType.RegularFile, "b.txt");
        forged.DataStream = new MemoryStream("HELLO"u8.ToArray());
        var artifact = Base()
            .List(new ManifestEntry("b.txt", EntryTypes.File, 5, "0644", Sha256Hex.Of("hello"u8)))
            .Raw(forged)
            .Build();

        await AssertRefusedAsync(artifact, "Artifact entry 'files/b.txt' is refused: its content does not match the SHA-256 in the manifest");
    }

    [Fact]
    public async Task MissingFileAtEnd_IsRefused()
    {
        var artifact = Base().File("zzz.txt", "never sent", inTar: false).Build();

        await AssertRefusedAsync(artifact, "The artifact is truncated or corrupt: entry 'files/zzz.txt' listed in the manifest is missing.");
    }

    [Fact]
    public async Task TruncatedArtifact_IsRefused()
    {
        var artifact = Base().File("data.bin", SampleTree.RandomBytes(200_000, seed: 5)).Build();

        var ex = await AssertRefusedAsync(artifact[..(artifact.Length / 2)], "The artifact is truncated or corrupt:");

        Assert.Contains("files/data.bin", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(200)]
    [InlineData(-1)]
    public async Task CorruptGzipBytes_AreRefused(int offset)
    {
        var artifact = Base().File("data.bin", SampleTree.RandomBytes(100_000, seed: 9)).Build();
        artifact[offset < 0 ? artifact.Length / 2 : offset] ^= 0x5A;

        var ex = await AssertRefusedAsync(artifact, "");

        Assert.Contains("corrupt", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManifestNotFirst_IsRefused()
    {
        var builder = Base();
        builder.ManifestPosition = 1;

        await AssertRefusedAsync(builder.Build(), "Artifact entry 'files/app' is refused: the first entry must be 'failsafe-manifest.json'.");

        Assert.Empty(Directory.GetFileSystemEntries(Destination));
    }

    [Fact]
    public async Task SetuidModeNotInManifest_IsRefused()
    {
        var content = "#!/bin/sh\n"u8.ToArray();
        var suid = ArtifactBuilder.Entry(TarEntryType.RegularFile, "su", "4755");
        suid.DataStream = new MemoryStream(content);
        var artifact = Base().List(new ManifestEntry("su", EntryTypes.File, content.Length, "0755", Sha256Hex.Of(content))).Raw(suid).Build();

        await AssertRefusedAsync(artifact, "Artifact entry 'files/su' is refused: its mode 04755 differs from the manifest's 0755.");

        Assert.False(File.Exists(Path.Join(Destination, "su")));
    }

    [Fact]
    public async Task TypeDifferentFromManifest_IsRefused()
    {
        var link = ArtifactBuilder.Entry(TarEntryType.SymbolicLink, "x", "0755");
        link.LinkName = "app";
        var artifact = Base().List(new ManifestEntry("x", EntryTypes.Directory, 0, "0755", null)).Raw(link).Build();

        await AssertRefusedAsync(artifact, "Artifact entry 'files/x' is refused: it is a symlink but the manifest says dir.");

        Assert.Null(PosixFile.TryLstat(Path.Join(Destination, "x")));
    }

    [Fact]
    public async Task EntriesOutOfManifestOrder_AreRefused()
    {
        var artifact = Base().File("c.txt", "c").File("b.txt", "b").Build();

        await AssertRefusedAsync(artifact, "Artifact entry 'files/c.txt' is refused: it is out of order ('files/b.txt' was expected next).");
    }

    [Fact]
    public async Task DuplicateEntry_IsRefused()
    {
        var artifact = new ArtifactBuilder()
            .Directory("app")
            .File("app/a.txt", "hello")
            .File("app/a.txt", "HELLO", listed: false)
            .Symlink("app/link", ".")
            .Build();

        await AssertRefusedAsync(artifact, "Artifact entry 'files/app/a.txt' is refused: it appears twice.");

        if (WritesToDestination)
        {
            Assert.Equal("hello", await File.ReadAllTextAsync(Path.Join(Destination, "app/a.txt")));
        }
    }

    [Fact]
    public async Task DataAfterArchiveEnd_IsRefused()
    {
        var tar = Decompress(Base().Build()).Concat(SampleTree.RandomBytes(1024, seed: 4)).ToArray();

        await AssertRefusedAsync(Compress(tar), "The artifact is truncated or corrupt: it has data after its last entry.");
    }

    /// <summary>Extracts into <see cref="Destination"/>, or verifies.</summary>
    protected abstract Task<ReleaseManifest> RunAsync(byte[] artifact, ExtractLimits? limits);

    private protected static ArtifactBuilder Base() => new ArtifactBuilder()
        .Directory("app")
        .File("app/a.txt", "hello")
        .Symlink("app/link", ".");

    private static GnuTarEntry RawFile(string name, string content) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) };

    private static byte[] Decompress(byte[] gzip)
    {
        using var input = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
        var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private static byte[] Compress(byte[] data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private async Task<ArtifactException> AssertRefusedAsync(byte[] artifact, string expectedMessage, ExtractLimits? limits = null)
    {
        var excluded = WritesToDestination ? Destination : null;
        var before = HostSnapshot.Take(_temp.Path, excluded);

        var ex = await Assert.ThrowsAsync<ArtifactException>(() => RunAsync(artifact, limits));

        Assert.StartsWith(expectedMessage, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Equal(before, HostSnapshot.Take(_temp.Path, excluded));
        Assert.Equal(CanaryText, await File.ReadAllTextAsync(Canary));
        Assert.Empty(Directory.GetFileSystemEntries(Outside));
        return ex;
    }
}
