using Failsafe.Artifacts;
using Failsafe.Tests.Common;
using Xunit.Abstractions;

namespace Failsafe.DataPlane.Tests;

public sealed class ReleaseInstallerTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _temp = new("failsafe-dp");

    public void Dispose() => _temp.Dispose();

    private ReleaseInstaller Installer => new(new TestOutputLogger<ReleaseInstaller>(output));

    private ServicePaths Service => new HostPaths(_temp.Combine("root")).Service("web");

    private async Task<InstalledRelease> InstallAsync(PackedRelease release)
    {
        await using var stream = File.OpenRead(release.Path);
        return await Installer.InstallAsync(Service, stream, release.Sha256, release.Size, release.Manifest.Version, CancellationToken.None);
    }

    private IEnumerable<string> Staging() => Directory.Exists(Service.Releases)
        ? Directory.EnumerateFileSystemEntries(Service.Releases, ".staging-*")
        : [];

    [Fact]
    public async Task InstallAsync_NewArtifact_InstallsUnderVersionAndIdWithManifestCopy()
    {
        var release = await TestReleases.ScriptAsync(_temp, "web", "1.2.0", "sleep 60");

        var installed = await InstallAsync(release);

        Assert.Equal($"1.2.0-{release.Sha256[..12]}", installed.Name);
        Assert.Equal(Service.ReleaseDirectory(installed.Name), installed.Directory);
        Assert.Equal("1.2.0\n", File.ReadAllText(Path.Join(installed.Directory, "VERSION")));
        var copy = ManifestJson.Deserialize(File.ReadAllText(Service.ManifestFile(installed.Name)), "copy");
        Assert.Equal(release.Manifest.Files, copy.Files);
        Assert.Empty(Staging());
    }

    [Fact]
    public async Task InstallAsync_SameArtifactTwice_SecondFindsTheVerifiedInstallAndDoesNotReadTheStream()
    {
        var release = await TestReleases.ScriptAsync(_temp, "web", "1.2.0", "sleep 60");
        var first = await InstallAsync(release);
        var installedAt = File.GetLastWriteTimeUtc(Service.ManifestFile(first.Name));

        await using var unread = new MemoryStream([1, 2, 3]);
        var second = await Installer.InstallAsync(Service, unread, release.Sha256, release.Size, null, CancellationToken.None);

        Assert.Equal(first.Name, second.Name);
        Assert.Equal(0, unread.Position);
        Assert.Equal(installedAt, File.GetLastWriteTimeUtc(Service.ManifestFile(first.Name)));
        Assert.Single(Directory.EnumerateDirectories(Service.Releases));
    }

    [Fact]
    public async Task InstallAsync_ShaMismatch_FailsWithBothHashesAndLeavesNothing()
    {
        var release = await TestReleases.ScriptAsync(_temp, "web", "1.2.0", "sleep 60");
        var wrong = new string('0', 64);

        await using var stream = File.OpenRead(release.Path);
        var error = await Assert.ThrowsAsync<ArtifactException>(
            () => Installer.InstallAsync(Service, stream, wrong, release.Size, null, CancellationToken.None));

        Assert.Equal($"The artifact's SHA-256 is {release.Sha256}, expected {wrong}.", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Service.Releases));
    }

    [Fact]
    public async Task InstallAsync_MoreBytesThanAnnounced_StopsReadingAndLeavesNothing()
    {
        var release = await TestReleases.ScriptAsync(_temp, "web", "1.2.0", "sleep 60");

        await using var stream = File.OpenRead(release.Path);
        var error = await Assert.ThrowsAsync<ArtifactException>(
            () => Installer.InstallAsync(Service, stream, release.Sha256, release.Size - 100, null, CancellationToken.None));

        Assert.Contains($"larger than the expected {release.Size - 100} bytes", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Service.Releases));
    }

    [Fact]
    public async Task InstallAsync_TruncatedDownload_FailsOnSizeAndLeavesNothing()
    {
        var release = await TestReleases.ScriptAsync(_temp, "web", "1.2.0", "sleep 60");
        var bytes = await File.ReadAllBytesAsync(release.Path);

        await using var truncated = new MemoryStream(bytes[..^50]);
        var error = await Assert.ThrowsAsync<ArtifactException>(
            () => Installer.InstallAsync(Service, truncated, release.Sha256, release.Size, null, CancellationToken.None));

        Assert.Equal($"The artifact has {release.Size - 50} bytes, expected {release.Size}.", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Service.Releases));
    }

    [Fact]
    public async Task InstallAsync_ArtifactThatFailsExtraction_RemovesItsStagingDirectory()
    {
        // Hash and size match the bytes, but the bytes are not an artifact: the extractor refuses them.
        var garbage = _temp.WriteFile("garbage.fsr", new string('x', 5000));
        var sha = await Sha256Hex.OfFileAsync(garbage);

        await using var stream = File.OpenRead(garbage);
        await Assert.ThrowsAsync<ArtifactException>(
            () => Installer.InstallAsync(Service, stream, sha, 5000, null, CancellationToken.None));

        Assert.Empty(Directory.EnumerateFileSystemEntries(Service.Releases));
    }

    [Fact]
    public async Task InstallAsync_ArtifactOfAnotherService_IsRefused()
    {
        var release = await TestReleases.ScriptAsync(_temp, "billing", "1.2.0", "sleep 60");

        var error = await Assert.ThrowsAsync<ArtifactException>(() => InstallAsync(release));

        Assert.Equal("The artifact is a release of 'billing', not of 'web'.", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Service.Releases));
    }

    [Fact]
    public async Task FindInstalledAsync_TamperedReleaseThatIsNotCurrent_IsRemovedSoItGetsInstalledAgain()
    {
        var release = await TestReleases.ScriptAsync(_temp, "web", "1.2.0", "sleep 60");
        var installed = await InstallAsync(release);
        File.AppendAllText(Path.Join(installed.Directory, "VERSION"), "tampered");

        Assert.Null(await Installer.FindInstalledAsync(Service, release.Sha256, CancellationToken.None));
        Assert.False(Directory.Exists(installed.Directory));

        var again = await InstallAsync(release);
        Assert.Equal("1.2.0\n", File.ReadAllText(Path.Join(again.Directory, "VERSION")));
    }

    [Fact]
    public async Task LoadVerifiedAsync_FileAddedToCurrentRelease_FailsNamingTheFile()
    {
        var release = await TestReleases.ScriptAsync(_temp, "web", "1.2.0", "sleep 60");
        var installed = await InstallAsync(release);
        CurrentLink.Switch(Service, installed.Name);
        File.WriteAllText(Path.Join(installed.Directory, "extra.txt"), "not from the artifact");

        var error = await Assert.ThrowsAsync<ArtifactException>(
            () => Installer.LoadVerifiedAsync(Service, installed.Name, CancellationToken.None));

        Assert.Contains("'extra.txt' is not listed in the manifest", error.Message, StringComparison.Ordinal);
        Assert.True(Directory.Exists(installed.Directory));
    }

    [Fact]
    public async Task LoadVerifiedAsync_IntactRelease_Succeeds()
    {
        var release = await TestReleases.ScriptAsync(_temp, "web", "1.2.0", "sleep 60");
        var installed = await InstallAsync(release);

        var verified = await Installer.LoadVerifiedAsync(Service, installed.Name, CancellationToken.None);

        Assert.Equal(release.Manifest.Files, verified.Manifest.Files);
    }

    /// <summary>The manifest copy is part of the artifact format: the library's verifier alone accepts an installed release.</summary>
    [Fact]
    public async Task InstallAsync_InstalledRelease_PassesTheArtifactsVerifierAsIs()
    {
        var release = await TestReleases.ScriptAsync(_temp, "web", "1.2.0", "sleep 60");
        var installed = await InstallAsync(release);

        await ReleaseVerifier.VerifyDirectoryAsync(installed.Directory, release.Manifest);
        var copy = await ReleaseVerifier.VerifyInstalledAsync(installed.Directory, CancellationToken.None);

        Assert.Equal(ManifestJson.Serialize(release.Manifest), ManifestJson.Serialize(copy));
    }

    [Fact]
    public async Task LoadVerifiedAsync_ManifestCopyRemoved_FailsNamingIt()
    {
        var release = await TestReleases.ScriptAsync(_temp, "web", "1.2.0", "sleep 60");
        var installed = await InstallAsync(release);
        File.Delete(Service.ManifestFile(installed.Name));

        var error = await Assert.ThrowsAsync<ArtifactException>(
            () => Installer.LoadVerifiedAsync(Service, installed.Name, CancellationToken.None));

        Assert.Contains($"has no '{ArtifactLayout.InstalledManifestName}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recovery_RemovesStagingDirectoriesAndTemporaryLinks_KeepsReleases()
    {
        var release = await TestReleases.ScriptAsync(_temp, "web", "1.2.0", "sleep 60");
        var installed = await InstallAsync(release);
        var leftover = Path.Join(Service.Releases, ".staging-0123456789ab-deadbeef");
        Directory.CreateDirectory(Path.Join(leftover, "release", "half"));
        File.WriteAllText(Path.Join(leftover, "artifact.fsr"), "partial");
        File.CreateSymbolicLink(Path.Join(Service.Directory, "current.tmp-0123456789ab"), "releases/" + installed.Name);

        var harness = new AgentHarness(_temp.Combine("root"), output);
        await using (harness)
        {
            await harness.Recovery.RunAsync(CancellationToken.None);
        }

        Assert.Empty(Staging());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Service.Directory, "current.tmp-*"));
        Assert.True(Directory.Exists(installed.Directory));
    }
}
