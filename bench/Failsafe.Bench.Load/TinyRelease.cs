using Failsafe.Artifacts;

namespace Failsafe.Bench.Load;

/// <summary>A small real artifact (a few files, a few KB): pushed and deployed, its blob fetched by every host that installs it.</summary>
internal static class TinyRelease
{
    public static async Task<(byte[] Bytes, string Sha256)> PackAsync(string work, string service, string version)
    {
        var source = Path.Combine(work, "release-source", service, version);
        Directory.CreateDirectory(source);
        await File.WriteAllTextAsync(Path.Combine(source, "run.sh"), "#!/bin/sh\nexec sleep infinity\n");
        await File.WriteAllTextAsync(Path.Combine(source, "VERSION"), $"{service} {version}\n");
        await File.WriteAllBytesAsync(Path.Combine(source, "data.bin"), new byte[4096]);
        using var output = new MemoryStream();
        var packed = await ArtifactPacker.PackAsync(
            new PackRequest(source, service, version, "sh run.sh", new HealthCheckSpec("/healthz", 30), [], DateTimeOffset.UnixEpoch.AddYears(50)),
            output);
        return (output.ToArray(), packed.Sha256);
    }
}
