using Failsafe.Artifacts;
using Failsafe.Contracts;
using Failsafe.Tests.Common;

namespace Failsafe.DataPlane.Tests;

internal sealed record PackedRelease(string Path, string Sha256, long Size, ReleaseManifest Manifest)
{
    public ArtifactRef Ref => new(Sha256, Size);

    public string Name => $"{Manifest.Version}-{Sha256[..12]}";
}

/// <summary>Real artifacts, packed with the real packer.</summary>
internal static class TestReleases
{
    public static Task<PackedRelease> HelloAsync(
        TempDirectory temp, string service, string version, bool healthy = true, bool crashOnStart = false, IReadOnlyList<HookSpec>? hooks = null) =>
        PackAsync(temp, HelloServiceBuild.CreateSource(temp, version, healthy, crashOnStart), service, version, HelloServiceBuild.EntryCommand, hooks);

    /// <summary>A release of a few small files whose entry command is a shell command line.</summary>
    public static Task<PackedRelease> ScriptAsync(TempDirectory temp, string service, string version, string entryCommand, IReadOnlyList<HookSpec>? hooks = null)
    {
        var source = temp.Combine($"script-{version}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Join(source, "conf"));
        File.WriteAllText(Path.Join(source, "VERSION"), version + "\n");
        File.WriteAllText(Path.Join(source, "conf", "app.conf"), "greeting=hello\n");
        return PackAsync(temp, source, service, version, entryCommand, hooks);
    }

    public static async Task<PackedRelease> PackAsync(
        TempDirectory temp, string source, string service, string version, string entryCommand, IReadOnlyList<HookSpec>? hooks = null)
    {
        var output = temp.Combine($"{service}-{version}-{Guid.NewGuid():N}{ArtifactLayout.FileExtension}");
        var result = await ArtifactPacker.PackToFileAsync(
            new PackRequest(source, service, version, entryCommand, new HealthCheckSpec("/healthz", 10), hooks ?? []),
            output);
        return new PackedRelease(output, result.Sha256, result.Size, result.Manifest);
    }
}
