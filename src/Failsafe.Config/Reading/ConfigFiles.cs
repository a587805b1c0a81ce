namespace Failsafe.Config.Reading;

internal enum FileKind
{
    Service,
    Fleet,

    /// <summary>A file given by path: a service file when it has a top-level <c>service</c> key.</summary>
    Either,
}

internal sealed record ConfigFile(string FullPath, string Display, FileKind Kind);

/// <summary>Which files of a folder are config (see docs/config.md, "Discovery").</summary>
internal static class ConfigFiles
{
    public const string ServiceFileName = "failsafe.yaml";
    public const string FleetFileName = "failsafe.fleet.yaml";
    public const string FleetFolderName = "fleet";

    private static readonly HashSet<string> Skipped = new(StringComparer.Ordinal) { "bin", "obj", "node_modules" };

    /// <summary>The files, sorted by their path relative to <paramref name="folder"/>.</summary>
    public static List<ConfigFile> Find(string folder)
    {
        var files = new List<ConfigFile>();
        AddServices(folder, folder, files);
        var fleetFile = Path.Join(folder, FleetFileName);
        if (File.Exists(fleetFile))
        {
            files.Add(new ConfigFile(fleetFile, FleetFileName, FileKind.Fleet));
        }

        var fleetFolder = Path.Join(folder, FleetFolderName);
        if (Directory.Exists(fleetFolder))
        {
            files.AddRange(Directory.EnumerateFiles(fleetFolder)
                .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
                .Select(f => new ConfigFile(f, Relative(folder, f), FileKind.Fleet)));
        }

        return files.OrderBy(f => f.Display, StringComparer.Ordinal).ToList();
    }

    private static void AddServices(string root, string folder, List<ConfigFile> files)
    {
        var file = Path.Join(folder, ServiceFileName);
        if (File.Exists(file))
        {
            files.Add(new ConfigFile(file, Relative(root, file), FileKind.Service));
        }

        foreach (var child in Directory.EnumerateDirectories(folder))
        {
            var name = Path.GetFileName(child);
            // Linked folders are not followed: a link to a parent would never end, and a checkout's own files are real.
            if (name.StartsWith('.') || Skipped.Contains(name) || new DirectoryInfo(child).LinkTarget is not null)
            {
                continue;
            }

            AddServices(root, child, files);
        }
    }

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');
}
