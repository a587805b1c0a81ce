using Failsafe.Artifacts.Tests.Support;
using Failsafe.Tests.Common;

namespace Failsafe.Artifacts.Tests;

public sealed class ReleaseVerifierTests : IDisposable
{
    private readonly TempDirectory _temp = new("failsafe-verify");

    private string Release => _temp.Combine("releases/1.4.2-abc");

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
