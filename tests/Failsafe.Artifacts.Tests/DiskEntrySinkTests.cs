using Failsafe.Tests.Common;

namespace Failsafe.Artifacts.Tests;

/// <summary>
/// The extractor's own look at the disk, behind the session's lexical checks: it catches a
/// destination changed by someone else during extraction, which no artifact alone can cause.
/// </summary>
public sealed class DiskEntrySinkTests : IDisposable
{
    private readonly TempDirectory _temp = new("failsafe-sink");

    private string Root => _temp.Combine("root");

    public DiskEntrySinkTests() => Directory.CreateDirectory(Root);

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void CheckPlace_ParentDirectory_Passes()
    {
        Directory.CreateDirectory(Path.Join(Root, "a"));

        new DiskEntrySink(Root).CheckPlace("files/a/x", "a/x");
    }

    [Fact]
    public void CheckPlace_ParentIsSymlinkOnDisk_IsRefused()
    {
        Directory.CreateDirectory(_temp.Combine("elsewhere"));
        File.CreateSymbolicLink(Path.Join(Root, "a"), _temp.Combine("elsewhere"));

        var ex = Assert.Throws<ArtifactException>(() => new DiskEntrySink(Root).CheckPlace("files/a/x", "a/x"));

        Assert.Equal("Artifact entry 'files/a/x' is refused: it would be written through the symlink 'files/a'.", ex.Message);
    }

    [Fact]
    public void CheckPlace_ParentMissingOnDisk_IsRefused()
    {
        var ex = Assert.Throws<ArtifactException>(() => new DiskEntrySink(Root).CheckPlace("files/a/x", "a/x"));

        Assert.Equal("Artifact entry 'files/a/x' is refused: its parent directory 'files/a' does not come before it.", ex.Message);
    }

    [Fact]
    public void CheckPlace_NameAlreadyTaken_IsRefused()
    {
        File.WriteAllText(Path.Join(Root, "x"), "someone else's");

        var ex = Assert.Throws<ArtifactException>(() => new DiskEntrySink(Root).CheckPlace("files/x", "x"));

        Assert.Equal("Artifact entry 'files/x' is refused: it already exists in the destination.", ex.Message);
    }
}
