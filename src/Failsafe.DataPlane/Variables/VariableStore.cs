using System.Text.Json;
using Failsafe.Contracts;

namespace Failsafe.DataPlane;

/// <summary>
/// The variables a release last ran with, kept per service and release in <c>.failsafe/variables/&lt;release&gt;.json</c>
/// (mode 0600: secrets' values are in it), outside the immutable release folder. An agent that restarts an instance
/// after its own restart, and a task that activates a release without sending variables (a rollback), use them.
/// </summary>
internal static class VariableStore
{
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private sealed record Stored(string? Environment, Dictionary<string, string> Values, List<string> Masked);

    public static string PathOf(ServicePaths service, string release) => Path.Combine(service.Variables, release + ".json");

    public static void Write(ServicePaths service, string release, ReleaseVariables variables)
    {
        if (variables.IsEmpty)
        {
            Delete(service, release);
            return;
        }

        var stored = new Stored(variables.Environment, new Dictionary<string, string>(variables.Values, StringComparer.Ordinal), [.. variables.Masked]);
        DurableFile.WriteAllText(PathOf(service, release), JsonSerializer.Serialize(stored, FailsafeJson.Options), FileMode);
    }

    /// <summary>The variables kept for a release; <see cref="ReleaseVariables.None"/> when there are none (or they cannot be read).</summary>
    public static ReleaseVariables Read(ServicePaths service, string release)
    {
        try
        {
            if (JsonSerializer.Deserialize<Stored>(File.ReadAllText(PathOf(service, release)), FailsafeJson.Options) is { } stored)
            {
                return new ReleaseVariables(stored.Environment, stored.Values, stored.Masked);
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
        }

        return ReleaseVariables.None;
    }

    public static void Delete(ServicePaths service, string release)
    {
        try
        {
            File.Delete(PathOf(service, release));
        }
        catch (IOException)
        {
        }
    }
}
