using System.Text;
using Failsafe.ControlPlane.Blobs;
using Failsafe.Tests.Common;

namespace Failsafe.ControlPlane.Tests;

/// <summary>The blobs folder is shared by every replica: one starting must leave the others' uploads alone.</summary>
public sealed class BlobStoreTests : IDisposable
{
    private readonly TempDirectory _blobs = new("fs-blobs");

    public void Dispose() => _blobs.Dispose();

    [Fact]
    public async Task Start_WhileAnotherReplicaStagesAnUpload_ThatUploadStillCommits()
    {
        var first = new FileBlobStore(_blobs.Path);
        await using var staged = await first.StageAsync(new MemoryStream(Encoding.UTF8.GetBytes("an artifact")), CancellationToken.None);

        _ = new FileBlobStore(_blobs.Path); // a second replica starting on the same folder

        await staged.CommitAsync();
        Assert.True(first.Exists(staged.Sha256));
    }

    [Fact]
    public void Start_UploadAbandonedLongAgo_IsDeleted()
    {
        var abandoned = _blobs.WriteFile("tmp/0123456789abcdef", "cut short by a crash");
        var recent = _blobs.WriteFile("tmp/fedcba9876543210", "still arriving");
        File.SetLastWriteTimeUtc(abandoned, DateTime.UtcNow - FileBlobStore.AbandonedUploadAge - TimeSpan.FromMinutes(1));

        _ = new FileBlobStore(_blobs.Path);

        Assert.False(File.Exists(abandoned));
        Assert.True(File.Exists(recent));
    }
}
