using Failsafe.Artifacts;
using Failsafe.Tests.Common;

namespace Failsafe.ControlPlane.Tests.Infrastructure;

internal static class TestArtifacts
{
    /// <summary>Packs a tiny release whose content depends on <paramref name="salt"/>, so two salts give two artifacts.</summary>
    public static async Task<(string Path, PackResult Result)> PackAsync(TempDirectory work, string service, string version, string salt = "", int randomBytes = 0)
    {
        var source = work.Combine($"src-{service}-{version}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(source);
        await File.WriteAllTextAsync(Path.Join(source, "run.sh"), $"#!/bin/sh\necho {service} {version} {salt}\n");
        if (randomBytes > 0)
        {
            await File.WriteAllBytesAsync(Path.Join(source, "payload.bin"), System.Security.Cryptography.RandomNumberGenerator.GetBytes(randomBytes));
        }

        var output = work.Combine($"{service}-{version}-{Guid.NewGuid():N}.fsr");
        var result = await ArtifactPacker.PackToFileAsync(
            new PackRequest(source, service, version, "./run.sh", new HealthCheckSpec("/healthz"), [], DateTimeOffset.UnixEpoch.AddYears(50)),
            output);
        return (output, result);
    }
}
