using Failsafe.Artifacts;

namespace Failsafe.ControlPlane.Api;

/// <summary>Environments follow the service-name rules: they name rows, lock names and URL segments.</summary>
internal static class EnvironmentNames
{
    public static void Validate(string? environment)
    {
        if (!ServiceName.IsValid(environment))
        {
            throw ApiProblemException.BadRequest(
                $"An environment name is 1 to {ServiceName.MaxLength} lowercase letters, digits and '-', starting with a letter (e.g. prod).");
        }
    }
}
