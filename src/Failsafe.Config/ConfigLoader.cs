using Failsafe.Config.Reading;
using Failsafe.Config.Schema;
using Failsafe.Config.Validation;
using Failsafe.Config.Yaml;
using Failsafe.Contracts;

namespace Failsafe.Config;

/// <summary>Reads <c>failsafe.yaml</c> and fleet files into a <see cref="ConfigDocument"/>, reporting every mistake at once.</summary>
public static class ConfigLoader
{
    /// <summary>Loads one file, or a folder's service files and fleet (see docs/config.md, "Discovery").</summary>
    public static ConfigLoadResult Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        List<ConfigFile> files;
        if (File.Exists(path))
        {
            files = [new ConfigFile(Path.GetFullPath(path), Path.GetFileName(path), FileKind.Either)];
        }
        else if (Directory.Exists(path))
        {
            files = ConfigFiles.Find(path);
            if (files.Count == 0)
            {
                return Failed(".", $"found no {ConfigFiles.ServiceFileName}, {ConfigFiles.FleetFileName} or {ConfigFiles.FleetFolderName}/*.yaml in {path}");
            }
        }
        else
        {
            return Failed(path, "no such file or folder");
        }

        var errors = new List<ConfigDiagnostic>();
        var services = new List<ServiceDraft>();
        var fleet = new FleetParts();
        var includesFleet = false;
        foreach (var file in files)
        {
            var report = new FileReport(file.Display, errors);
            string text;
            try
            {
                text = File.ReadAllText(file.FullPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                report.Add(new Position(1, 1), "file", $"cannot be read: {e.Message}");
                continue;
            }

            var root = YamlReader.Read(text, report);
            var kind = file.Kind != FileKind.Either ? file.Kind
                : root is YamlMapping m && m.Entries.Any(e => e.Key.Value == "service") ? FileKind.Service : FileKind.Fleet;
            includesFleet |= kind == FileKind.Fleet;
            if (kind == FileKind.Service)
            {
                ReadService(root, report, services);
            }
            else if (root is not null && Walk(root, ConfigShapes.Fleet, report) is { } fleetRoot)
            {
                FleetReader.Read(fleetRoot, report, fleet);
            }
        }

        var document = DocumentAssembler.Assemble(services, fleet, includesFleet);
        var sorted = errors
            .OrderBy(e => e.File, StringComparer.Ordinal)
            .ThenBy(e => e.Line)
            .ThenBy(e => e.Column)
            .ToList();
        return new ConfigLoadResult(document, includesFleet, files.Select(f => f.Display).ToList(), sorted);
    }

    private static void ReadService(YamlItem? root, FileReport report, List<ServiceDraft> services)
    {
        if (root is null)
        {
            // A syntax error was reported already; an empty service file is a mistake of its own.
            if (!report.HasErrors)
            {
                report.Add(new Position(1, 1), "service", "the file is empty: a service file needs service, run and environments");
            }

            return;
        }

        if (Walk(root, ConfigShapes.Service, report) is { } serviceRoot)
        {
            services.Add(ServiceReader.Read(serviceRoot, report));
        }
    }

    private static ObjectValue? Walk(YamlItem root, ObjectShape shape, FileReport report) =>
        new ShapeWalker(report).Walk(root, shape, "")?.Value as ObjectValue;

    private static ConfigLoadResult Failed(string file, string message) =>
        new(ConfigDocument.Empty, false, [], [new ConfigDiagnostic(file, 1, 1, "path", message)]);
}
