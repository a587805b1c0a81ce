namespace Failsafe.Artifacts;

/// <summary>
/// What a release artifact declares about itself. It is the first entry of the artifact
/// (<see cref="ArtifactLayout.ManifestEntryName"/>), so a reader knows every limit before
/// it extracts a single byte.
/// </summary>
public sealed record ReleaseManifest(
    int FormatVersion,
    string Service,
    string Version,
    DateTimeOffset CreatedAt,
    string EntryCommand,
    HealthCheckSpec HealthCheck,
    IReadOnlyList<HookSpec> Hooks,
    long TotalSize,
    int EntryCount,
    IReadOnlyList<ManifestEntry> Files)
{
    public const int CurrentFormatVersion = 1;
}

public static class EntryTypes
{
    public const string File = "file";
    public const string Directory = "dir";
    public const string Symlink = "symlink";
}

/// <summary>One entry of the release tree. <see cref="Mode"/> is octal text such as "0755".</summary>
public sealed record ManifestEntry(string Path, string Type, long Size, string Mode, string? Sha256, string? LinkTarget = null);

public sealed record HealthCheckSpec(string Path, int TimeoutSeconds = 30);

/// <summary>A hook run by the agent; <see cref="Name"/> is a <see cref="HookNames"/> value.</summary>
public sealed record HookSpec(string Name, string Command, int TimeoutSeconds = 60);

public static class HookNames
{
    public const string PreActivate = "pre-activate";
    public static readonly IReadOnlyList<string> All = [PreActivate];
}
