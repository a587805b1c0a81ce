using Failsafe.Config.Yaml;

namespace Failsafe.Config.Validation;

/// <summary>Collects the mistakes of one file into the run's list, so that one run reports them all.</summary>
internal sealed class FileReport(string file, List<ConfigDiagnostic> sink)
{
    public string File { get; } = file;

    public bool HasErrors { get; private set; }

    public void Add(Position at, string field, string message)
    {
        HasErrors = true;
        sink.Add(new ConfigDiagnostic(File, at.Line, at.Column, field.Length == 0 ? "(top)" : field, message));
    }
}
