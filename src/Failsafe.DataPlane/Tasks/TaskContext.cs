using Failsafe.Contracts;

namespace Failsafe.DataPlane;

/// <summary>One task as it runs: the task, the variables it carries and the masker every output it reports goes through.</summary>
internal sealed record TaskContext(AgentTask Task, ReleaseVariables Variables, SecretMasker Masker)
{
    /// <summary>
    /// The variables a release runs with: the task's, or when it carries none (a rollback, say) the ones the release
    /// last ran with on this host. Their secrets are masked from then on.
    /// </summary>
    public ReleaseVariables VariablesFor(ServicePaths service, string release)
    {
        if (!Variables.IsEmpty)
        {
            return Variables;
        }

        var kept = VariableStore.Read(service, release);
        Masker.Add(kept.SecretValues);
        return kept;
    }
}
