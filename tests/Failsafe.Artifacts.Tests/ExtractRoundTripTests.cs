using Failsafe.Artifacts.Tests.Support;
using Failsafe.Tests.Common;

namespace Failsafe.Artifacts.Tests;

public sealed class ExtractRoundTripTests : IDisposable
{
    private readonly TempDirectory _temp = new("failsafe-roundtrip");

    private string Source => _temp.Combine("src");

    private string Destination => _temp.Combine("releases/1.4.2-abc");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ExtractAsync_PackedTree_ReproducesEveryEntry()
    {
        SampleTree.Create(Source);
        var artifact = new MemoryStream();
        var packed = await ArtifactPacker.PackAsync(SampleTree.Request(Source), artifact);
        artifact.Position = 0;

        var manifest = await SafeExtractor.ExtractAsync(artifact, Destination);

        Assert.Equal(ManifestJson.Serialize(packed.Manifest), ManifestJson.Serialize(manifest));
        foreach (var entry in manifest.Files)
        {
            var source = Path.Join(Source, entry.Path);
            var extracted = Path.Join(Destination, entry.Path);
            switch (entry.Type)
            {
                case EntryTypes.File:
                    Assert.Equal(await File.ReadAllBytesAsync(source), await File.ReadAllBytesAsync(extracted));
                    Assert.Equal(File.GetUnixFileMode(source), File.GetUnixFileMode(extracted));
                    break;
                case EntryTypes.Directory:
                    Assert.True(Directory.Exists(extracted) && new DirectoryInfo(extracted).LinkTarget is null, entry.Path);
                    Assert.Equal(File.GetUnixFileMode(source), File.GetUnixFileMode(extracted));
                    break;
                default:
                    Assert.Equal(new FileInfo(source).LinkTarget, new FileInfo(extracted).LinkTarget);
                    break;
            }
        }

        Assert.Equal("lib/nested", new FileInfo(Path.Join(Destination, "config")).LinkTarget);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Join(Destination, "empty")));
        Assert.Equal(SampleTree.RunScript, await File.ReadAllTextAsync(Path.Join(Destination, "lib/run")));
        Assert.Equal(
            Directory.GetFileSystemEntries(Source, "*", SearchOption.AllDirectories).Length,
            Directory.GetFileSystemEntries(Destination, "*", SearchOption.AllDirectories).Length);
    }

    [Fact]
    public async Task ExtractAsync_ExistingEmptyDestination_IsUsed()
    {
        SampleTree.Create(Source);
        Directory.CreateDirectory(Destination);
        var artifact = await PackToMemoryAsync();

        var manifest = await SafeExtractor.ExtractAsync(artifact, Destination);

        Assert.True(File.Exists(Path.Join(Destination, "bin/run.sh")));
        Assert.Equal(12, manifest.EntryCount);
    }

    [Fact]
    public async Task ExtractAsync_NonEmptyDestination_IsRefusedAndLeftAlone()
    {
        SampleTree.Create(Source);
        _temp.WriteFile("releases/1.4.2-abc/keep.txt", "mine");
        var artifact = await PackToMemoryAsync();

        var ex = await Assert.ThrowsAsync<ArtifactException>(() => SafeExtractor.ExtractAsync(artifact, Destination));

        Assert.Contains("must not exist or must be an empty directory", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["keep.txt"], Directory.GetFileSystemEntries(Destination).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ExtractAsync_DestinationIsASymlink_IsRefused()
    {
        SampleTree.Create(Source);
        Directory.CreateDirectory(_temp.Combine("elsewhere"));
        Directory.CreateDirectory(_temp.Combine("releases"));
        File.CreateSymbolicLink(Destination, _temp.Combine("elsewhere"));
        var artifact = await PackToMemoryAsync();

        await Assert.ThrowsAsync<ArtifactException>(() => SafeExtractor.ExtractAsync(artifact, Destination));

        Assert.Empty(Directory.GetFileSystemEntries(_temp.Combine("elsewhere")));
    }

    [Fact]
    public async Task ReadManifestAsync_ReadsOnlyTheFirstEntry()
    {
        SampleTree.Create(Source);
        SampleTree.Write(Source, "lib/big.bin", SampleTree.RandomBytes(3 << 20, seed: 11));
        var artifact = await PackToMemoryAsync();
        var counting = new CountingStream(artifact);

        var manifest = await ArtifactReader.ReadManifestAsync(counting);

        Assert.Equal("1.4.2", manifest.Version);
        Assert.Contains(manifest.Files, f => f.Path == "lib/big.bin" && f.Size == 3 << 20);
        Assert.True(counting.BytesRead < 512 << 10, $"read {counting.BytesRead} of {artifact.Length} bytes");
    }

    [Fact]
    public async Task ReadManifestAsync_FromFile_MatchesPackResult()
    {
        SampleTree.Create(Source);
        var path = _temp.Combine("app.fsr");
        var packed = await ArtifactPacker.PackToFileAsync(SampleTree.Request(Source), path);

        var manifest = await ArtifactReader.ReadManifestAsync(path);

        Assert.Equal(ManifestJson.Serialize(packed.Manifest), ManifestJson.Serialize(manifest));
    }

    [Fact]
    public async Task ReadManifestAsync_MissingFile_IsAnArtifactError()
    {
        var ex = await Assert.ThrowsAsync<ArtifactException>(() => ArtifactReader.ReadManifestAsync(_temp.Combine("missing.fsr")));

        Assert.StartsWith("Cannot open artifact", ex.Message, StringComparison.Ordinal);
    }

    private async Task<MemoryStream> PackToMemoryAsync()
    {
        var artifact = new MemoryStream();
        await ArtifactPacker.PackAsync(SampleTree.Request(Source), artifact);
        artifact.Position = 0;
        return artifact;
    }
}
