using System.Text.Json;
using Failsafe.Tests.Common;

namespace Failsafe.DataPlane.Tests;

/// <summary>The sample service's build output, copied into a release source tree per version.</summary>
internal static class HelloServiceBuild
{
    private static readonly Lazy<string> LazyOutput = new(FindOutput);

    public static string OutputDirectory => LazyOutput.Value;

    /// <summary>The dotnet host the tests run on (the SDK sets DOTNET_HOST_PATH for test runs).</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path && File.Exists(path) ? path : "dotnet";

    public static string EntryCommand => $"{DotnetHost} HelloService.dll";

    /// <summary>A source tree for one release: the build output plus its release.json.</summary>
    public static string CreateSource(TempDirectory temp, string version, bool healthy = true, bool crashOnStart = false)
    {
        var source = temp.Combine($"src-{version}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(source);
        foreach (var file in Directory.EnumerateFiles(OutputDirectory))
        {
            File.Copy(file, Path.Join(source, Path.GetFileName(file)));
        }

        File.WriteAllText(
            Path.Join(source, "release.json"),
            JsonSerializer.Serialize(new { version, healthy, crashOnStart }));
        return source;
    }

    private static string FindOutput()
    {
        var candidates = new[] { "Debug", "Release" }
            .Select(c => Path.Join(RepoPaths.Root, "samples", "HelloService", "bin", c, "net10.0"))
            .Where(d => File.Exists(Path.Join(d, "HelloService.dll")))
            .OrderByDescending(d => File.GetLastWriteTimeUtc(Path.Join(d, "HelloService.dll")))
            .ToList();
        return candidates.Count > 0
            ? candidates[0]
            : throw new InvalidOperationException("HelloService is not built (it is a project reference of this test project).");
    }
}
