using Failsafe.Contracts;
using Failsafe.ControlPlane.Api;

namespace Failsafe.ControlPlane.Configuration;

/// <summary>A release reaches a lifecycle's phase only after it succeeded in the phase before (prod after staging).</summary>
internal static class LifecycleRules
{
    /// <summary>The service's lifecycle: the one its failsafe.yaml names, else the fleet's "default", else none (any order).</summary>
    public static LifecycleConfig? Of(ConfigDocument document, ServiceConfig service) =>
        document.Lifecycles.FirstOrDefault(l => l.Name == (service.Lifecycle ?? "default"));

    public static void RequirePrevious(LifecycleConfig? lifecycle, ServiceConfig service, string version, string environment, IReadOnlyCollection<string> succeededIn)
    {
        if (lifecycle is null)
        {
            return;
        }

        var phase = lifecycle.Phases.ToList().IndexOf(environment);
        if (phase < 0)
        {
            throw ApiProblemException.BadRequest(
                $"{service.Name} follows lifecycle {lifecycle.Name} ({Path(lifecycle)}), which has no environment {environment}.");
        }

        if (phase > 0 && !succeededIn.Contains(lifecycle.Phases[phase - 1]))
        {
            throw ApiProblemException.Conflict(
                $"{service.Name} {version} cannot go to {environment} yet: lifecycle {lifecycle.Name} runs {Path(lifecycle)}, "
                + $"and {version} has not succeeded in {lifecycle.Phases[phase - 1]}.");
        }
    }

    /// <summary>Where <c>promote</c> without <c>--to</c> goes: the phase after the last one the release succeeded in.</summary>
    public static string Next(LifecycleConfig? lifecycle, ServiceConfig service, string version, IReadOnlyCollection<string> succeededIn)
    {
        if (lifecycle is null)
        {
            throw ApiProblemException.BadRequest($"{service.Name} follows no lifecycle; say where to promote it with --to ENV.");
        }

        var reached = lifecycle.Phases.Select((p, i) => (p, i)).Where(x => succeededIn.Contains(x.p)).Select(x => x.i).DefaultIfEmpty(-1).Max();
        return reached + 1 < lifecycle.Phases.Count
            ? lifecycle.Phases[reached + 1]
            : throw ApiProblemException.Conflict($"{service.Name} {version} has already reached {lifecycle.Phases[^1]}, the last phase of lifecycle {lifecycle.Name}.");
    }

    private static string Path(LifecycleConfig lifecycle) => string.Join(" → ", lifecycle.Phases);
}
