namespace Failsafe.Tests.Common;

/// <summary>Locations in the repository, found from the test assembly's folder.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The folder holding Failsafe.sln.</summary>
    public static string Root => LazyRoot.Value;

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Join(directory.FullName, "Failsafe.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Failsafe.sln above {AppContext.BaseDirectory}.");
    }
}
