namespace Failsafe.ControlPlane.Blobs;

/// <summary>Bytes written and hashed but not yet published under their hash.</summary>
internal sealed class StagedBlob(string tempPath, string sha256, long size, Func<StagedBlob, Task> commit) : IAsyncDisposable
{
    private bool _committed;

    public string TempPath => tempPath;

    public string Sha256 => sha256;

    public long Size => size;

    public async Task CommitAsync()
    {
        if (!_committed)
        {
            await commit(this).ConfigureAwait(false);
            _committed = true;
        }
    }

    public ValueTask DisposeAsync()
    {
        if (!_committed)
        {
            File.Delete(tempPath);
        }

        return ValueTask.CompletedTask;
    }
}
