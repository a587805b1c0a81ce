namespace Failsafe.Artifacts.Tests;

/// <summary>The attack corpus against <see cref="SafeExtractor"/>.</summary>
public sealed class SafeExtractorSafetyTests : ExtractionSafetyTests
{
    protected override bool WritesToDestination => true;

    [Fact]
    public async Task BaseArtifact_WithoutAttack_Extracts()
    {
        var manifest = await RunAsync(Base().Build(), limits: null);

        Assert.Equal(3, manifest.EntryCount);
        Assert.Equal("hello", await File.ReadAllTextAsync(Path.Join(Destination, "app/a.txt")));
        Assert.Equal(".", new FileInfo(Path.Join(Destination, "app/link")).LinkTarget);
    }

    protected override Task<ReleaseManifest> RunAsync(byte[] artifact, ExtractLimits? limits) =>
        SafeExtractor.ExtractAsync(new MemoryStream(artifact), Destination, limits);
}
