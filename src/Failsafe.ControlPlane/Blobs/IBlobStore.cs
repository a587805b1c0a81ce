namespace Failsafe.ControlPlane.Blobs;

/// <summary>Content-addressed artifacts, named by the lowercase hex SHA-256 of their bytes.</summary>
internal interface IBlobStore
{
    bool Exists(string sha256);

    /// <summary>The file holding the blob, for range-capable streaming; null when absent.</summary>
    string? PathOf(string sha256);

    Stream OpenRead(string sha256);

    /// <summary>
    /// Streams <paramref name="content"/> to a temporary file while hashing it; nothing is visible
    /// under a hash until <see cref="StagedBlob.CommitAsync"/>. Disposing an uncommitted blob deletes it.
    /// </summary>
    Task<StagedBlob> StageAsync(Stream content, CancellationToken cancellationToken);

    /// <summary>Stage and commit in one go; returns the hash and size.</summary>
    Task<(string Sha256, long Size)> PutAsync(Stream content, CancellationToken cancellationToken);
}
