using Failsafe.Artifacts.Tests.Support;
using Failsafe.Tests.Common;

namespace Failsafe.Artifacts.Tests;

public sealed class ReleaseVerifierTests : IDisposable
{
    private readonly TempDirectory _temp = new("failsafe-verify");

    private string Release => _temp.Combine("releases/1.4.2-abc");

    private string CopyPath => Path.Join(Release, ArtifactLayout.InstalledManifestName);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task VerifyDirectoryAsync_FreshRelease_Passes()
    {
        var manifest = await InstallAsync();

        await ReleaseVerifier.VerifyDirectoryAsync(Release, manifest);
    }

    [Fact]
    public async Task VerifyDirectoryAsync_FileTamperedSameSize_NamesTheFile()
    {
        var manifest = await InstallAsync();
        var settings = Path.Join(Release, "lib/nested/deep/settings.json");
        var text = await File.ReadAllTextAsync(settings);
        await File.WriteAllTextAsync(settings, text.Replace("42", "43", StringComparison.Ordinal));

        var ex = await Assert.ThrowsAsync<ArtifactException>(() => ReleaseVerifier.VerifyDirectoryAsync(Release, manifest));

        Assert.Equal(
            $"Release '{Release}' does not match its manifest: 'lib/nested/deep/settings.json' has been modified (its SHA-256 differs from the manifest).",
            ex.Message);
    }

    [Theory]
    [InlineData("grown")]
    [InlineData("mode")]
    [InlineData("missing")]
    [InlineData("added")]
    [InlineData("relinked")]
    [InlineData("replaced")]
    public async Task VerifyDirectoryAsync_Changed_NamesWhatChanged(string change)
    {
        var manifest = await InstallAsync();
        var (path, problem) = change switch
        {
            "grown" => Do(() => File.AppendAllText(Path.Join(Release, ".env"), "X=1\n"), ".env", "is 20 bytes but the manifest says 16"),
            "mode" => Do(() => File.SetUnixFileMode(Path.Join(Release, "bin/run.sh"), (UnixFileMode)0x1FF), "bin/run.sh", "has mode 0777 but the manifest says 0755"),
            "missing" => Do(() => Directory.Delete(Path.Join(Release, "empty")), "empty", "is missing"),
            "added" => Do(() => File.WriteAllText(Path.Join(Release, "lib/nested/extra.py"), ""), "lib/nested/extra.py", "is not listed in the manifest"),
            "relinked" => Do(() => Relink(Path.Join(Release, "config"), "lib"), "config", "points to 'lib' but the manifest says 'lib/nested'"),
            "replaced" => Do(() => Relink(Path.Join(Release, "readonly.txt"), "bin/run.sh"), "readonly.txt", "is a symlink but the manifest says file"),
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };

        var ex = await Assert.ThrowsAsync<ArtifactException>(() => ReleaseVerifier.VerifyDirectoryAsync(Release, manifest));

        Assert.Equal($"Release '{Release}' does not match its manifest: '{path}' {problem}.", ex.Message);
    }

    [Fact]
    public async Task VerifyDirectoryAsync_MissingDirectory_SaysSo()
    {
        var manifest = new ArtifactBuilder().Manifest;

        var ex = await Assert.ThrowsAsync<ArtifactException>(() => ReleaseVerifier.VerifyDirectoryAsync(_temp.Combine("nope"), manifest));

        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyInstalledAsync_FreshInstallWithCopy_ReturnsTheManifest()
    {
        var manifest = await InstallAsync();
        await InstalledManifest.WriteAsync(Release, manifest);

        var verified = await ReleaseVerifier.VerifyInstalledAsync(Release, CancellationToken.None);

        Assert.Equal(ManifestJson.Serialize(manifest), ManifestJson.Serialize(verified));
        Assert.Equal(ManifestJson.Serialize(manifest), await File.ReadAllTextAsync(CopyPath));
    }

    /// <summary>What an integration test does with an installed release: the copy is not tampering.</summary>
    [Fact]
    public async Task VerifyDirectoryAsync_WithInstallersCopy_Passes()
    {
        var manifest = await InstallAsync();
        await InstalledManifest.WriteAsync(Release, manifest);

        await ReleaseVerifier.VerifyDirectoryAsync(Release, manifest);
    }

    [Fact]
    public async Task InstalledManifestWriteAsync_CopyAlreadyThere_ReplacesItAndLeavesNoTemporaryFile()
    {
        var manifest = await InstallAsync();
        await File.WriteAllTextAsync(CopyPath, "stale");

        await InstalledManifest.WriteAsync(Release, manifest);

        Assert.Equal(ManifestJson.Serialize(manifest), await File.ReadAllTextAsync(CopyPath));
        Assert.Equal([ArtifactLayout.InstalledManifestName], Directory.GetFiles(Release, ".failsafe*").Select(Path.GetFileName));
    }

    [Fact]
    public async Task VerifyInstalledAsync_FileTampered_NamesTheFile()
    {
        var manifest = await InstallAsync();
        await InstalledManifest.WriteAsync(Release, manifest);
        File.AppendAllText(Path.Join(Release, ".env"), "X=1\n");

        var ex = await Assert.ThrowsAsync<ArtifactException>(() => ReleaseVerifier.VerifyInstalledAsync(Release, CancellationToken.None));

        Assert.Equal($"Release '{Release}' does not match its manifest: '.env' is 20 bytes but the manifest says 16.", ex.Message);
    }

    [Fact]
    public async Task VerifyInstalledAsync_FileAdded_NamesTheFile()
    {
        var manifest = await InstallAsync();
        await InstalledManifest.WriteAsync(Release, manifest);
        File.WriteAllText(Path.Join(Release, ".failsafe-manifest.json.bak"), "");

        var ex = await Assert.ThrowsAsync<ArtifactException>(() => ReleaseVerifier.VerifyInstalledAsync(Release, CancellationToken.None));

        Assert.Equal($"Release '{Release}' does not match its manifest: '.failsafe-manifest.json.bak' is not listed in the manifest.", ex.Message);
    }

    [Fact]
    public async Task VerifyInstalledAsync_NoCopy_NamesTheFile()
    {
        await InstallAsync();

        var ex = await Assert.ThrowsAsync<ArtifactException>(() => ReleaseVerifier.VerifyInstalledAsync(Release, CancellationToken.None));

        Assert.Equal(
            $"Release '{Release}' has no '.failsafe-manifest.json' (the manifest copy an installer keeps); it was not installed by Failsafe.",
            ex.Message);
    }

    [Theory]
    [InlineData("not json", "is not valid")]
    [InlineData("null", "is empty (null)")]
    [InlineData("wrong entry count", "is not valid: Manifest field 'entryCount' is 11 but 'files' lists 12 entries.")]
    public async Task VerifyInstalledAsync_InvalidCopy_NamesTheFile(string damage, string problem)
    {
        var manifest = await InstallAsync();
        var json = damage switch
        {
            "not json" => "{ \"formatVersion\": ",
            "null" => "null",
            _ => ManifestJson.Serialize(manifest with { EntryCount = manifest.EntryCount - 1 }),
        };
        await File.WriteAllTextAsync(CopyPath, json);

        var ex = await Assert.ThrowsAsync<ArtifactException>(() => ReleaseVerifier.VerifyInstalledAsync(Release, CancellationToken.None));

        Assert.StartsWith($"The manifest in '{CopyPath}' ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    /// <summary>
    /// Only a regular file is the copy: a symlink could lead to a manifest outside the release,
    /// and a directory is no manifest at all. Both verifiers refuse either.
    /// </summary>
    [Theory]
    [InlineData(EntryTypes.Symlink)]
    [InlineData(EntryTypes.Directory)]
    public async Task VerifyInstalledAsync_CopyNotARegularFile_IsRefused(string type)
    {
        var manifest = await InstallAsync();
        var elsewhere = _temp.Combine("elsewhere.json");
        await File.WriteAllTextAsync(elsewhere, ManifestJson.Serialize(manifest));
        if (type == EntryTypes.Symlink)
        {
            File.CreateSymbolicLink(CopyPath, elsewhere);
        }
        else
        {
            Directory.CreateDirectory(CopyPath);
        }

        var installed = await Assert.ThrowsAsync<ArtifactException>(() => ReleaseVerifier.VerifyInstalledAsync(Release, CancellationToken.None));
        var direct = await Assert.ThrowsAsync<ArtifactException>(() => ReleaseVerifier.VerifyDirectoryAsync(Release, manifest));

        Assert.Equal(
            $"Release '{Release}' has a {type} named '.failsafe-manifest.json' where the manifest copy, a regular file, belongs.",
            installed.Message);
        Assert.Equal(
            $"Release '{Release}' does not match its manifest: '.failsafe-manifest.json' is a {type}, but the manifest copy an installer keeps under that name is a regular file.",
            direct.Message);
    }

    [Fact]
    public async Task VerifyInstalledAsync_MissingDirectory_SaysSo()
    {
        var ex = await Assert.ThrowsAsync<ArtifactException>(() => ReleaseVerifier.VerifyInstalledAsync(_temp.Combine("nope"), CancellationToken.None));

        Assert.Equal($"Release directory '{_temp.Combine("nope")}' does not exist.", ex.Message);
    }

    private static (string Path, string Problem) Do(Action change, string path, string problem)
    {
        change();
        return (path, problem);
    }

    private static void Relink(string path, string target)
    {
        File.Delete(path);
        File.CreateSymbolicLink(path, target);
    }

    private async Task<ReleaseManifest> InstallAsync()
    {
        var source = _temp.Combine("src");
        SampleTree.Create(source);
        var artifact = new MemoryStream();
        await ArtifactPacker.PackAsync(SampleTree.Request(source), artifact);
        artifact.Position = 0;
        return await SafeExtractor.ExtractAsync(artifact, Release);
    }
}
