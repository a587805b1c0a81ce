namespace Failsafe.Artifacts;

/// <summary>
/// What to pack. <see cref="CreatedAt"/> defaults to SOURCE_DATE_EPOCH, else the newest mtime in
/// the source tree, so packing the same tree twice gives the same bytes.
/// </summary>
public sealed record PackRequest(
    string SourceDirectory,
    string Service,
    string Version,
    string EntryCommand,
    HealthCheckSpec HealthCheck,
    IReadOnlyList<HookSpec> Hooks,
    DateTimeOffset? CreatedAt = null);

/// <summary><see cref="Sha256"/> and <see cref="Size"/> describe the artifact bytes as written.</summary>
public sealed record PackResult(ReleaseManifest Manifest, string Sha256, long Size);
