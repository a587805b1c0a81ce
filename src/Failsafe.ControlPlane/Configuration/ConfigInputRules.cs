using Failsafe.Artifacts;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Api;

namespace Failsafe.ControlPlane.Configuration;

/// <summary>What the server checks of a document whatever sent it (the CLI has validated the files, but the API is open
/// to any client): names it stores and keys on, and one value or one secret per variable.</summary>
internal static class ConfigInputRules
{
    public static void Check(ConfigDocument document)
    {
        var problems = new List<string>();
        Unique(problems, "service", document.Services.Select(s => s.Name));
        Unique(problems, "environment", document.Environments.Select(e => e.Name));
        Unique(problems, "host group", document.HostGroups.Select(g => g.Name));
        Unique(problems, "lifecycle", document.Lifecycles.Select(l => l.Name));
        foreach (var service in document.Services)
        {
            try
            {
                ServiceName.Validate(service.Name);
            }
            catch (ArtifactException e)
            {
                problems.Add(e.Message);
            }

            foreach (var variable in service.Variables)
            {
                if (!VariablePlaceholders.IsValidName(variable.Name ?? ""))
                {
                    problems.Add($"{service.Name}: '{variable.Name}' is not a variable name.");
                }

                if ((variable.Value is null) == (variable.Secret is null))
                {
                    problems.Add($"{service.Name}: variable {variable.Name} ({variable.Scope}) needs a value or a secret, not {(variable.Value is null ? "neither" : "both")}.");
                }
            }
        }

        if (problems.Count > 0)
        {
            throw ApiProblemException.BadRequest("The configuration is not valid: " + string.Join(" ", problems));
        }
    }

    private static void Unique(List<string> problems, string kind, IEnumerable<string> names)
    {
        foreach (var name in names.GroupBy(n => n ?? "", StringComparer.Ordinal).Where(g => g.Key.Length == 0 || g.Count() > 1))
        {
            problems.Add(name.Key.Length == 0 ? $"A {kind} has no name." : $"The {kind} {name.Key} is defined {name.Count()} times.");
        }
    }
}
