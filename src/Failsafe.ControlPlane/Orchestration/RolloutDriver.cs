using Failsafe.Contracts;
using Failsafe.ControlPlane.Storage;

namespace Failsafe.ControlPlane.Orchestration;

/// <summary>
/// The progressive part of a deployment: the canary hosts start the new release beside the old one, the
/// canary's share of traffic rises step by step while the analysis passes, then it is promoted and the
/// remaining hosts follow in batches. A failing verdict sends the deployment back at any point.
/// </summary>
internal sealed class RolloutDriver
{
    /// <summary>Returns true when the caller may start the next batch of plain switches now.</summary>
    public async Task<bool> AdvanceAsync(DeploymentRun run, ReleaseRecord? release, VerdictInfo? verdict)
    {
        var rollout = run.Deployment.Rollout!;
        rollout = await RecordVerdictAsync(run, rollout, verdict).ConfigureAwait(false);
        if (verdict?.Outcome == VerdictOutcomes.Fail)
        {
            await run.SetCanaryWeightAsync(0).ConfigureAwait(false);
            await run.SetDeploymentAsync(DeploymentStates.RollingBack, "analysis failed: " + verdict.Sentence).ConfigureAwait(false);
            return false;
        }

        return rollout.Phase == RolloutPhases.Canary
            ? await AdvanceCanaryAsync(run, rollout, release, verdict).ConfigureAwait(false)
            : await MayStartBatchAsync(run, rollout).ConfigureAwait(false);
    }

    private static async Task<bool> AdvanceCanaryAsync(DeploymentRun run, RolloutState rollout, ReleaseRecord? release, VerdictInfo? verdict)
    {
        var canaries = Enumerable.Range(0, run.Hosts.Count).Where(i => run.Hosts[i].Batch == 1).ToList();
        foreach (var i in canaries.Where(i => run.Hosts[i].State == HostStates.Pending))
        {
            await run.QueueAsync(i, TaskPurposes.Deploy, TaskKinds.Canary, release?.ReleaseId ?? run.Hosts[i].TargetRelease,
                release is null ? null : new ArtifactRef(release.Sha256, release.Size), HostStates.InProgress).ConfigureAwait(false);
        }

        if (canaries.Any(i => run.Hosts[i].State == HostStates.InProgress))
        {
            return false; // starting, or being promoted
        }

        if (canaries.All(i => run.Hosts[i].State is HostStates.Succeeded or HostStates.Skipped))
        {
            // Promoted everywhere: the remaining hosts follow in batches, analysis watching across hosts.
            var hold = TimeSpan.FromSeconds(rollout.Policy.BatchHoldSeconds);
            await run.SetRolloutAsync(
                rollout with { Phase = RolloutPhases.Batches, WindowStart = run.Now, HoldUntil = run.Now + hold, HeldBatch = 2 },
                "deployment.promoted",
                $"canary promoted on {Hosts(run, canaries)}" + (hold > TimeSpan.Zero ? $"; next batch after {Durations.Format(hold)}" : string.Empty))
                .ConfigureAwait(false);
            return hold <= TimeSpan.Zero;
        }

        var steps = rollout.Steps;
        if (rollout.Step < 0)
        {
            await run.SetCanaryWeightAsync(steps[0].Weight).ConfigureAwait(false);
            await run.SetRolloutAsync(
                rollout with { Step = 0, StepStartedAt = run.Now, WindowStart = run.Now },
                "deployment.step",
                $"step 1 of {steps.Count}: the canary takes {steps[0].Weight}% on {Hosts(run, canaries)}").ConfigureAwait(false);
            return false;
        }

        var promoteNow = rollout.PromotedBy is not null;
        if (!promoteNow)
        {
            var step = steps[rollout.Step];
            if (rollout.Paused || verdict?.Outcome != VerdictOutcomes.Pass || run.Now < rollout.StepStartedAt + TimeSpan.FromSeconds(step.HoldSeconds))
            {
                return false;
            }

            if (rollout.Step + 1 < steps.Count)
            {
                var next = steps[rollout.Step + 1];
                await run.SetCanaryWeightAsync(next.Weight).ConfigureAwait(false);
                await run.SetRolloutAsync(
                    rollout with { Step = rollout.Step + 1, StepStartedAt = run.Now },
                    "deployment.step",
                    $"step {rollout.Step + 2} of {steps.Count}: the canary takes {next.Weight}% ({verdict.Sentence})").ConfigureAwait(false);
                return false;
            }
        }

        foreach (var i in canaries.Where(i => run.Hosts[i].State == HostStates.Canary))
        {
            await run.QueueAsync(i, TaskPurposes.Deploy, TaskKinds.Promote, run.Hosts[i].TargetRelease, null, HostStates.InProgress).ConfigureAwait(false);
        }

        await run.SetRolloutAsync(
            rollout,
            "deployment.promote",
            promoteNow ? $"promoted by {rollout.PromotedBy}: skipping the remaining steps" : $"every step passed ({verdict!.Sentence})").ConfigureAwait(false);
        return false;
    }

    private static async Task<bool> MayStartBatchAsync(DeploymentRun run, RolloutState rollout)
    {
        if (rollout.PromotedBy is not null)
        {
            return true;
        }

        if (rollout.Paused)
        {
            return false;
        }

        // Each batch after the first waits out the hold once the one before it is done: a hold begun while
        // that batch still switches would be used up by a slow batch, leaving the analysis no time to watch it.
        if (run.Hosts.Any(h => h.State == HostStates.InProgress))
        {
            return false;
        }

        var next = run.Hosts.Where(h => h.State == HostStates.Pending).Select(h => h.Batch).DefaultIfEmpty(0).Min();
        var firstBatch = run.Hosts.Min(h => h.Batch);
        var hold = TimeSpan.FromSeconds(rollout.Policy.BatchHoldSeconds);
        if (hold > TimeSpan.Zero && next > firstBatch && rollout.HeldBatch < next)
        {
            await run.SetRolloutAsync(rollout with { HoldUntil = run.Now + hold, HeldBatch = next }).ConfigureAwait(false);
            return false;
        }

        return rollout.HoldUntil is not { } until || run.Now >= until;
    }

    /// <summary>Keeps the latest verdict with the deployment; a change of outcome is an event with its sentence.</summary>
    private static async Task<RolloutState> RecordVerdictAsync(DeploymentRun run, RolloutState rollout, VerdictInfo? verdict)
    {
        if (verdict is null)
        {
            return rollout;
        }

        var changed = rollout.Verdict?.Outcome != verdict.Outcome;
        if (!changed && rollout.Verdict is { } last && verdict.At - last.At < TimeSpan.FromSeconds(1))
        {
            return rollout;
        }

        var updated = rollout with { Verdict = verdict };
        await run.SetRolloutAsync(updated, changed ? "deployment.verdict" : null, $"{verdict.Outcome}: {verdict.Sentence}").ConfigureAwait(false);
        return updated;
    }

    private static string Hosts(DeploymentRun run, List<int> indexes) => string.Join(", ", indexes.Select(i => run.Hosts[i].Host));
}
