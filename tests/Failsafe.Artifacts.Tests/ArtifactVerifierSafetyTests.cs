using Failsafe.Artifacts.Tests.Support;

namespace Failsafe.Artifacts.Tests;

/// <summary>The attack corpus against <see cref="ArtifactVerifier"/>: same refusals, same words, nothing written.</summary>
public sealed class ArtifactVerifierSafetyTests : ExtractionSafetyTests
{
    protected override bool WritesToDestination => false;

    [Fact]
    public async Task BaseArtifact_WithoutAttack_VerifiesAndWritesNothing()
    {
        var before = HostSnapshot.Take(TempPath);

        var manifest = await RunAsync(Base().Build(), limits: null);

        Assert.Equal(3, manifest.EntryCount);
        Assert.Equal(before, HostSnapshot.Take(TempPath));
        Assert.Empty(Directory.GetFileSystemEntries(Destination));
    }

    protected override Task<ReleaseManifest> RunAsync(byte[] artifact, ExtractLimits? limits) =>
        ArtifactVerifier.VerifyAsync(new MemoryStream(artifact), limits);
}
