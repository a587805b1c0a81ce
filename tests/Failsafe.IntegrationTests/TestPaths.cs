using Failsafe.Demo;

namespace Failsafe.IntegrationTests;

/// <summary>Where the built failsafe executable and sample service are, for the configuration these tests were built in.</summary>
internal static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Debug or Release: the folder name above this test assembly's target-framework folder.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;

    public static string FailsafeDll { get; } = Path.Combine(RepositoryRoot, "src", "Failsafe", "bin", Configuration, "net10.0", "failsafe.dll");

    public static FailsafeExecutable Failsafe { get; } = new("dotnet", [FailsafeDll]);

    public static string SampleBuild { get; } = Path.Combine(RepositoryRoot, "samples", "HelloService", "bin", Configuration, "net10.0");

    public static string NewWorkDirectory(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), "failsafe-it", $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)]);
        Directory.CreateDirectory(path);
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Failsafe.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Failsafe.sln not found above " + AppContext.BaseDirectory);
    }
}
