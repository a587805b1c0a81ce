using Failsafe.Contracts;

namespace Failsafe.Config;

/// <summary>What <see cref="ConfigLoader.Load"/> found.</summary>
/// <param name="Document">The normal form of the files; meaningful only when <see cref="Ok"/>.</param>
/// <param name="IncludesFleet">A fleet file was among the files (see <see cref="ConfigRequest.IncludesFleet"/>).</param>
/// <param name="Files">The files read, relative to the folder loaded, sorted.</param>
/// <param name="Errors">Every mistake found, sorted by file, line and column.</param>
public sealed record ConfigLoadResult(
    ConfigDocument Document,
    bool IncludesFleet,
    IReadOnlyList<string> Files,
    IReadOnlyList<ConfigDiagnostic> Errors)
{
    public bool Ok => Errors.Count == 0;
}
