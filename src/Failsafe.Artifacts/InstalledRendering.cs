using System.Text;
using System.Text.Json;

namespace Failsafe.Artifacts;

/// <summary>One file of a release whose content an installer replaced by substituting variables: its new size and hash.</summary>
public sealed record RenderedFile(string Path, long Size, string Sha256);

/// <summary>
/// How an installed release was rendered: the <paramref name="Patterns"/> asked for, the names of the variables the
/// files used, a <paramref name="Fingerprint"/> (SHA-256 over the sorted <c>NAME=value</c> pairs of those variables)
/// and each rendered file's hash. Hashes and names only: a value never appears here.
/// </summary>
public sealed record ReleaseRendering(string Fingerprint, IReadOnlyList<string> Patterns, IReadOnlyList<string> Variables, IReadOnlyList<RenderedFile> Files);

/// <summary>
/// The rendering record an installer keeps at the root of an installed release
/// (<see cref="ArtifactLayout.InstalledRenderingName"/>), beside the manifest copy. The verifier checks rendered
/// files against it and every other file against the manifest.
/// </summary>
public static class InstalledRendering
{
    private const UnixFileMode RecordMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const int MaxBytes = 16 << 20;
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true, RespectNullableAnnotations = true };

    /// <summary>The fingerprint of a rendering: SHA-256 over the sorted <c>NAME=value</c> lines of the variables used.</summary>
    public static string Fingerprint(IEnumerable<KeyValuePair<string, string>> used)
    {
        ArgumentNullException.ThrowIfNull(used);
        var text = new StringBuilder();
        foreach (var (name, value) in used.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(name).Append('=').Append(value).Append('\n');
        }

        return Sha256Hex.Of(Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>Writes the record (new file, flushed): called on a staged release, before it is renamed into place.</summary>
    public static async Task WriteAsync(string releaseDirectory, ReleaseRendering rendering, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(rendering);
        var path = Path.Join(Path.GetFullPath(releaseDirectory), ArtifactLayout.InstalledRenderingName);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, UnixCreateMode = RecordMode };
        var file = new FileStream(path, options);
        await using (file)
        {
            await file.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(rendering, Options), ct);
            file.Flush(flushToDisk: true);
        }
    }

    /// <summary>The record of an installed release; null when it was installed without substitution.</summary>
    public static ReleaseRendering? Read(string releaseDirectory)
    {
        var root = Path.GetFullPath(releaseDirectory);
        var path = Path.Join(root, ArtifactLayout.InstalledRenderingName);
        switch (PosixFile.TryLstat(path))
        {
            case null:
                return null;
            case { Kind: not PosixFileKind.Regular } stat:
                throw new ArtifactException(
                    $"Release '{root}' has a {ReleaseVerifier.Describe(stat.Kind)} named '{ArtifactLayout.InstalledRenderingName}' where the rendering record, a regular file, belongs.");
            case { Size: > MaxBytes }:
                throw new ArtifactException($"The rendering record '{path}' is larger than {MaxBytes >> 20} MiB.");
        }

        try
        {
            return JsonSerializer.Deserialize<ReleaseRendering>(File.ReadAllBytes(path), Options)
                ?? throw new ArtifactException($"The rendering record '{path}' is empty (null).");
        }
        catch (JsonException e)
        {
            throw new ArtifactException($"The rendering record '{path}' is not valid: {e.Message.Split('\n')[0]}", e);
        }
    }
}
