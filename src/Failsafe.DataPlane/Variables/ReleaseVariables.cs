using Failsafe.Artifacts;
using Failsafe.Contracts;

namespace Failsafe.DataPlane;

/// <summary>
/// The variables one release runs with on this host (already resolved by the server for it): they go into the
/// environment of its instances and hooks and replace <c>#{NAME}</c> in its entry command, hook commands and the
/// files it asks to have substituted. <see cref="Masked"/> names those whose values are secrets.
/// </summary>
internal sealed record ReleaseVariables(string? Environment, IReadOnlyDictionary<string, string> Values, IReadOnlyList<string> Masked)
{
    public static readonly ReleaseVariables None = new(null, new Dictionary<string, string>(StringComparer.Ordinal), []);

    /// <summary>Names the agent sets itself for every instance or hook; a variable may not take their place.</summary>
    private static readonly string[] AgentNames = ["PORT", "SHARED_DIR"];

    private const string AgentPrefix = "FAILSAFE_";

    public bool IsEmpty => Values.Count == 0;

    /// <summary>The values of the masked variables (secrets): what must never leave the agent.</summary>
    public IEnumerable<string> SecretValues => Masked.Select(name => Values.GetValueOrDefault(name)).OfType<string>();

    /// <summary>The task's variables, checked: a name the agent sets itself, or that no environment accepts, fails the task.</summary>
    public static ReleaseVariables From(ActivationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Variables is not { Count: > 0 } given)
        {
            return None with { Environment = settings.Environment };
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in given.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (ProblemWithName(name) is { } problem)
            {
                throw new TaskFailedException(problem);
            }

            values[name] = value ?? string.Empty;
        }

        var masked = (settings.Masked ?? []).Where(values.ContainsKey).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return new ReleaseVariables(settings.Environment, values, masked);
    }

    public static string? ProblemWithName(string name)
    {
        if (!VariablePlaceholders.IsValidName(name))
        {
            return $"Variable name '{name}' is not valid: use letters, digits and '_', not starting with a digit.";
        }

        if (AgentNames.Contains(name, StringComparer.Ordinal))
        {
            return $"Variable {name} cannot be set: the agent sets {name} itself for every instance and hook.";
        }

        return name.StartsWith(AgentPrefix, StringComparison.Ordinal)
            ? $"Variable {name} cannot be set: names starting with {AgentPrefix} belong to the agent."
            : null;
    }

    /// <summary>A fingerprint of every name and value (not only those files use): equal means the release would run the same.</summary>
    public string Fingerprint() => InstalledRendering.Fingerprint(Values);

    /// <summary>Adds every variable to a child's environment; called before the agent sets its own names, which therefore win.</summary>
    public void ApplyTo(IDictionary<string, string?> environment)
    {
        foreach (var (name, value) in Values)
        {
            environment[name] = value;
        }
    }

    /// <summary>Replaces <c>#{NAME}</c> in a command of the release (entry or hook); a name with no variable fails.</summary>
    public string ReplaceIn(string command, string what)
    {
        var missing = new List<string>();
        var replaced = VariablePlaceholders.Replace(command, Lookup, missing);
        return missing.Count == 0
            ? replaced
            : throw new TaskFailedException($"The {what} uses #{{{missing[0]}}}, which {DescribeEnvironment()} does not define for this host.");
    }

    public string? Lookup(string name) => Values.TryGetValue(name, out var value) ? value : null;

    public string DescribeEnvironment() => Environment is { Length: > 0 } e ? $"environment {e}" : "the deployment";
}
