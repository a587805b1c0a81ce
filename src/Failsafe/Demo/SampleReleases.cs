using System.Diagnostics;
using Failsafe.Artifacts;
using Failsafe.Cli;
using Failsafe.Contracts;

namespace Failsafe.Demo;

/// <summary>
/// Builds samples/HelloService once and packs releases of it. What makes one release differ
/// from another is its release.json (version, healthy, error rate, delay), the way real services ship config.
/// </summary>
internal static class SampleReleases
{
    /// <param name="ErrorRate">Fraction of GET / answered 500, while the health check stays green.</param>
    /// <param name="DelayMs">Average time GET / takes (±20%).</param>
    public sealed record SampleRelease(
        string Version, bool Healthy, string Note, string Service = "hello", string? PreActivate = null, double ErrorRate = 0, double DelayMs = 0);

    public static string FindSampleProject()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "samples", "HelloService", "HelloService.csproj");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new UserException("failsafe demo needs the samples/ folder of a Failsafe checkout: run it from the repository.");
    }

    public static async Task<string> BuildAsync(string workDirectory, CancellationToken ct)
    {
        var output = Path.Combine(workDirectory, "sample-build");
        if (File.Exists(Path.Combine(output, "HelloService.dll")))
        {
            return output;
        }

        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "build", FindSampleProject(), "-c", "Release", "-o", output, "--nologo", "-v", "q" })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new UserException("Could not run 'dotnet build' for the sample service.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new UserException($"Building the sample service failed:\n{await stdout.ConfigureAwait(false)}{await stderr.ConfigureAwait(false)}");
        }

        return output;
    }

    /// <param name="config">The service's failsafe.yaml: entry, health check and hooks come from it, as <c>failsafe pack</c> takes them.</param>
    public static async Task<(PackResult Packed, string Path)> PackAsync(
        string buildOutput, string workDirectory, SampleRelease release, CancellationToken ct, ServiceConfig? config = null)
    {
        var source = Path.Combine(workDirectory, "releases-src", release.Service, release.Version);
        if (Directory.Exists(source))
        {
            Directory.Delete(source, recursive: true);
        }

        Directory.CreateDirectory(Path.Combine(source, "hooks"));
        foreach (var file in Directory.EnumerateFiles(buildOutput))
        {
            File.Copy(file, Path.Combine(source, Path.GetFileName(file)));
        }

        await File.WriteAllTextAsync(
            Path.Combine(source, "release.json"),
            string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $$"""{ "version": "{{release.Version}}", "healthy": {{(release.Healthy ? "true" : "false")}}, "errorRate": {{release.ErrorRate}}, "delayMs": {{release.DelayMs}} }""") + "\n",
            ct).ConfigureAwait(false);
        var hook = Path.Combine(source, "hooks", "pre-activate.sh");
        await File.WriteAllTextAsync(hook, "#!/bin/sh\necho \"pre-activate: checking $FAILSAFE_SERVICE $FAILSAFE_VERSION in $PWD\"\n", ct).ConfigureAwait(false);
        File.SetUnixFileMode(hook, (UnixFileMode)0b111_101_101);

        var artifact = Path.Combine(workDirectory, "artifacts", $"{release.Service}-{release.Version}{ArtifactLayout.FileExtension}");
        Directory.CreateDirectory(Path.GetDirectoryName(artifact)!);
        var packed = await ArtifactPacker.PackToFileAsync(
            new PackRequest(
                source, release.Service, release.Version, config?.Run.Entry ?? "dotnet HelloService.dll",
                new HealthCheckSpec(config?.Run.HealthPath ?? "/healthz", config?.Run.HealthTimeoutSeconds ?? 8),
                config?.Hooks.Select(h => new HookSpec(h.Name, h.Command, h.TimeoutSeconds)).ToArray()
                    ?? [new HookSpec(HookNames.PreActivate, release.PreActivate ?? "./hooks/pre-activate.sh", 30)],
                CreatedAt: new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            artifact,
            ct).ConfigureAwait(false);
        return (packed, artifact);
    }
}
