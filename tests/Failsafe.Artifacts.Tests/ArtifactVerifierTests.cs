using Failsafe.Artifacts.Tests.Support;
using Failsafe.Tests.Common;

namespace Failsafe.Artifacts.Tests;

/// <summary>
/// <see cref="ArtifactVerifier"/> on real packed artifacts. The attack corpus runs against it in
/// <see cref="ArtifactVerifierSafetyTests"/>.
/// </summary>
public sealed class ArtifactVerifierTests : IDisposable
{
    private readonly TempDirectory _temp = new("failsafe-verify");

    private string Source => _temp.Combine("src");

    private string ArtifactPath => _temp.Combine("app.fsr");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task VerifyAsync_PackedArtifactFile_ReturnsManifestAndCreatesNothing()
    {
        SampleTree.Create(Source);
        var packed = await ArtifactPacker.PackToFileAsync(SampleTree.Request(Source), ArtifactPath);
        var before = HostSnapshot.Take(_temp.Path);

        var manifest = await ArtifactVerifier.VerifyAsync(ArtifactPath);

        Assert.Equal(ManifestJson.Serialize(packed.Manifest), ManifestJson.Serialize(manifest));
        Assert.Equal(before, HostSnapshot.Take(_temp.Path));
    }

    [Fact]
    public async Task VerifyAsync_PackedArtifactStream_ReadsEveryByte()
    {
        SampleTree.Create(Source);
        SampleTree.Write(Source, "lib/big.bin", SampleTree.RandomBytes(3 << 20, seed: 11));
        var artifact = await PackToMemoryAsync();
        var counting = new CountingStream(artifact);

        var manifest = await ArtifactVerifier.VerifyAsync(counting);

        Assert.Contains(manifest.Files, f => f.Path == "lib/big.bin" && f.Size == 3 << 20);
        Assert.Equal(artifact.Length, counting.BytesRead);
    }

    /// <summary>What reading only the manifest let through: damage after the first entry.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task VerifyAsync_DamagedAfterManifest_IsRefusedThoughTheManifestReads(bool truncate)
    {
        SampleTree.Create(Source);
        SampleTree.Write(Source, "lib/big.bin", SampleTree.RandomBytes(1 << 20, seed: 12));
        var bytes = (await PackToMemoryAsync()).ToArray();
        var middle = bytes.Length * 3 / 4;
        if (truncate)
        {
            bytes = bytes[..middle];
        }
        else
        {
            bytes[middle] ^= 0x5A;
        }

        await File.WriteAllBytesAsync(ArtifactPath, bytes);

        var manifest = await ArtifactReader.ReadManifestAsync(ArtifactPath);
        var ex = await Assert.ThrowsAsync<ArtifactException>(() => ArtifactVerifier.VerifyAsync(ArtifactPath));

        Assert.Equal("1.4.2", manifest.Version);
        Assert.Contains("corrupt", ex.Message, StringComparison.Ordinal);
        Assert.Contains("files/lib/big.bin", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public async Task VerifyAsync_MissingFile_IsAnArtifactError()
    {
        var ex = await Assert.ThrowsAsync<ArtifactException>(() => ArtifactVerifier.VerifyAsync(_temp.Combine("missing.fsr")));

        Assert.StartsWith("Cannot open artifact", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_Cancelled_StopsWithCancellation()
    {
        SampleTree.Create(Source);
        var artifact = await PackToMemoryAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ArtifactVerifier.VerifyAsync(artifact, ct: new CancellationToken(canceled: true)));
    }

    private async Task<MemoryStream> PackToMemoryAsync()
    {
        var artifact = new MemoryStream();
        await ArtifactPacker.PackAsync(SampleTree.Request(Source), artifact);
        artifact.Position = 0;
        return artifact;
    }
}
