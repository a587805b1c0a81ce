using System.Text;
using Failsafe.Artifacts;
using Failsafe.Contracts;
using Microsoft.Extensions.FileSystemGlobbing;

namespace Failsafe.DataPlane;

/// <summary>
/// Substitutes variables into the files of a staged release that the service names (paths or globs relative to the
/// release root), before the release is renamed into place: a host never holds a half-rendered release. The rendering
/// record written beside the manifest copy lets the verifier check rendered files against their new hashes.
/// </summary>
internal static class ReleaseRenderer
{
    /// <summary>What to substitute into a release as it is installed: the service's patterns and this host's variables.</summary>
    public sealed record Request(IReadOnlyList<string> Patterns, ReleaseVariables Variables);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The files of the release the patterns match, in ordinal order; a pattern matching none is an error.</summary>
    public static IReadOnlyList<string> Match(ReleaseManifest manifest, IReadOnlyList<string> patterns)
    {
        var files = manifest.Files.Where(e => e.Type == EntryTypes.File).Select(e => e.Path).ToList();
        var matched = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var pattern in patterns)
        {
            if (ProblemWithPattern(pattern) is { } problem)
            {
                throw new TaskFailedException(problem);
            }

            var matcher = new Matcher(StringComparison.Ordinal);
            matcher.AddInclude(pattern.StartsWith("./", StringComparison.Ordinal) ? pattern[2..] : pattern);
            var found = matcher.Match("/release", files.Select(f => "/release/" + f)).Files.Select(f => f.Path).ToList();
            if (found.Count == 0)
            {
                throw new TaskFailedException(
                    $"Substitute pattern '{pattern}' matches no file of release {manifest.Service} {manifest.Version}: give paths relative to the release root, e.g. config/app.conf or config/*.conf.");
            }

            matched.UnionWith(found);
        }

        return [.. matched];
    }

    /// <summary>Renders the matched files of a staged release in place and returns the record of it (hashes, no values).</summary>
    public static async Task<ReleaseRendering> RenderAsync(
        string stagedRoot, ReleaseManifest manifest, IReadOnlyList<string> patterns, ReleaseVariables variables, CancellationToken cancellationToken)
    {
        var used = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var rendered = new List<(string Path, string FullPath, byte[] Bytes)>();
        foreach (var path in Match(manifest, patterns))
        {
            var full = Path.Join(stagedRoot, path);
            var text = ReadText(full, path);
            var missing = new List<string>();
            var output = VariablePlaceholders.Replace(text, variables.Lookup, missing);
            if (missing.Count > 0)
            {
                throw new TaskFailedException(
                    $"Release file {path} line {LineOf(text, missing[0])} uses #{{{missing[0]}}}, which {variables.DescribeEnvironment()} does not define for this host.");
            }

            foreach (var name in VariablePlaceholders.Names(text))
            {
                used[name] = variables.Values[name];
            }

            rendered.Add((path, full, StrictUtf8.GetBytes(output)));
        }

        // Every file is checked before any is written: a failure leaves nothing half-rendered, even in staging.
        var files = new List<RenderedFile>();
        foreach (var (path, full, bytes) in rendered)
        {
            await WriteInPlaceAsync(full, bytes, cancellationToken).ConfigureAwait(false);
            files.Add(new RenderedFile(path, bytes.LongLength, Sha256Hex.Of(bytes)));
        }

        return new ReleaseRendering(InstalledRendering.Fingerprint(used), Normalize(patterns), [.. used.Keys], files);
    }

    /// <summary>Whether a release installed with <paramref name="installed"/> (null: no substitution) is what these patterns and variables would render.</summary>
    public static bool IsSameRendering(ReleaseRendering? installed, IReadOnlyList<string> patterns, ReleaseVariables variables)
    {
        var wanted = Normalize(patterns);
        return installed is null
            ? wanted.Count == 0
            : wanted.SequenceEqual(Normalize(installed.Patterns), StringComparer.Ordinal) && FingerprintFor(installed, variables) == installed.Fingerprint;
    }

    public static IReadOnlyList<string> Normalize(IReadOnlyList<string>? patterns) =>
        [.. (patterns ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>The fingerprint these variables would give a release rendered before with <paramref name="rendering"/>'s variables.</summary>
    public static string FingerprintFor(ReleaseRendering rendering, ReleaseVariables variables) =>
        InstalledRendering.Fingerprint(rendering.Variables.Select(name => KeyValuePair.Create(name, variables.Lookup(name) ?? "\0missing")));

    private static string? ProblemWithPattern(string pattern) =>
        pattern.Length == 0 || pattern.StartsWith('/') || pattern.Split('/').Contains("..")
            ? $"Substitute pattern '{pattern}' is not a path inside the release: give paths relative to the release root, without '..'."
            : null;

    private static string ReadText(string fullPath, string path)
    {
        var bytes = File.ReadAllBytes(fullPath);
        if (bytes.AsSpan().Contains((byte)0))
        {
            throw new TaskFailedException($"Release file {path} is not a text file (it has NUL bytes); only UTF-8 text files can have variables substituted.");
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new TaskFailedException($"Release file {path} is not valid UTF-8; only UTF-8 text files can have variables substituted.");
        }
    }

    private static int LineOf(string text, string name)
    {
        var at = text.IndexOf("#{" + name + "}", StringComparison.Ordinal);
        while (at > 0 && text[at - 1] == '#')
        {
            // An escaped one (##{NAME}) comes first; the unescaped use is further on.
            at = text.IndexOf("#{" + name + "}", at + 1, StringComparison.Ordinal);
        }

        return at < 0 ? 1 : text.AsSpan(0, at).Count('\n') + 1;
    }

    // The extractor gave the file its manifest mode, maybe read-only: write it, then give that mode back.
    private static async Task WriteInPlaceAsync(string fullPath, byte[] bytes, CancellationToken cancellationToken)
    {
        var mode = File.GetUnixFileMode(fullPath);
        File.SetUnixFileMode(fullPath, mode | UnixFileMode.UserWrite);
        var stream = new FileStream(fullPath, FileMode.Truncate, FileAccess.Write, FileShare.None);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }

        File.SetUnixFileMode(fullPath, mode);
    }
}
