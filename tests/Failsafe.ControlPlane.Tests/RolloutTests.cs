using System.Diagnostics;
using System.Net;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Analysis;
using Failsafe.ControlPlane.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Failsafe.ControlPlane.Tests;

/// <summary>Progressive delivery as the server drives it: canary tasks, routes in poll answers, verdicts from reported metrics, actions.</summary>
public sealed class RolloutTests(ITestOutputHelper output)
{
    private const string Service = "hello";
    private const string OldRelease = "1.0.0-aaaaaaaaaaaa";
    private const string Deployment = "d-1";
    private static readonly ActivationSettings BehindProxy = new(Traffic: new TrafficSettings(PublicPort: 18080));

    [Fact]
    public async Task Deploy_GoodCanary_StepsUpThenPromotesThenSwitchesTheOtherHosts()
    {
        await using var fleet = await Fleet.StartAsync(agents: 3);
        var target = await StartDeployingAsync(fleet, new RolloutPolicy([new CanaryStep(20), new CanaryStep(50)]));
        var created = await GetAsync(fleet);
        Assert.Equal([1, 2, 3], created.Hosts.Select(h => h.Batch));
        Assert.Equal((RolloutPhases.Canary, -1, 0), (created.Rollout!.Phase, created.Rollout.Step, created.Rollout.CanaryWeight));

        var canary = fleet["host-1"];
        var weights = new List<int>();
        await StartCanaryAsync(fleet, canary, target, weights);
        await PollUntilAsync(canary, r => Weight(r) == 20, weights, "the first step's weight");
        var atFirstStep = await GetAsync(fleet);
        Assert.Equal((0, 20), (atFirstStep.Rollout!.Step, atFirstStep.Rollout.CanaryWeight));
        Assert.Equal(HostStates.Canary, atFirstStep.Hosts[0].State);
        Assert.Equal(new TrafficRoute(Service, target, 20), Assert.Single(canary.AppliedRoutes));

        // Both versions alike: 2,000 requests a side per report, 1% errors, the same latency distribution.
        AgentTask promote;
        await using (new MetricsPump(canary, n => Report(target, 2_000, 20, 2_000, 20, n), TimeSpan.FromMilliseconds(250)))
        {
            var answer = await PollUntilAsync(canary, r => r.Tasks.Any(t => t.Kind == TaskKinds.Promote), weights, "the promote task");
            promote = Assert.Single(answer.Tasks);
        }

        Assert.Equal([20, 50], weights.Where(w => w > 0).Distinct());
        Assert.Equal((Service, target, null), (promote.Service, promote.ReleaseId, promote.Artifact));
        var promoting = await GetAsync(fleet);
        Assert.Equal((RolloutPhases.Canary, 1, 50), (promoting.Rollout!.Phase, promoting.Rollout.Step, promoting.Rollout.CanaryWeight));
        Assert.Equal(VerdictOutcomes.Pass, promoting.Rollout.Verdict?.Outcome);
        Assert.Equal(["error-rate", "latency"], promoting.Rollout.Verdict!.Tests.Select(t => t.Metric));
        Assert.All(promoting.Rollout.Verdict.Tests, t => Assert.Equal(VerdictOutcomes.Pass, t.Outcome));
        Assert.Empty(await fleet["host-2"].PollAsync());

        (await canary.CompleteAsync(promote)).EnsureSuccessStatusCode();
        Assert.Equal((target, null), (canary.CurrentOf(Service), canary.CanaryOf(Service)));
        foreach (var host in new[] { "host-2", "host-3" })
        {
            var install = await fleet[host].NextTaskAsync();
            Assert.Equal((TaskKinds.Install, target), (install.Kind, install.ReleaseId));
            (await fleet[host].CompleteAsync(install)).EnsureSuccessStatusCode();
        }

        var done = await fleet.WaitAsync(Deployment, d => DeploymentStates.IsTerminal(d.State), "success");
        Assert.Equal(DeploymentStates.Succeeded, done.State);
        Assert.All(done.Hosts, h => Assert.Equal((HostStates.Succeeded, OldRelease, target), (h.State, h.PreviousRelease, h.TargetRelease)));
        Assert.Empty((await canary.PollResponseAsync()).Routes!);

        var events = await EventsAsync(fleet);
        var steps = events.Where(e => e.Action == "deployment.step").OrderBy(e => e.Id).Select(e => e.Detail!).ToList();
        Assert.Equal(2, steps.Count);
        Assert.Equal("step 1 of 2: the canary takes 20% on host-1", steps[0]);
        Assert.StartsWith("step 2 of 2: the canary takes 50% (Canary errors 1.0%", steps[1], StringComparison.Ordinal);
        Assert.Contains(events, e => e.Action == "deployment.verdict" && e.Detail!.StartsWith("pass: Canary errors 1.0%", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Action == "deployment.promote" && e.Actor == "system" && e.Detail!.StartsWith("every step passed", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Action == "deployment.promoted" && e.Detail == "canary promoted on host-1");
    }

    [Fact]
    public async Task Deploy_BadCanary_LeavesTrafficWithinASecondAndIsRolledBack()
    {
        // The production tick, so the measured reaction is the one users get.
        await using var fleet = await Fleet.StartAsync(agents: 3, o => o with { OrchestratorInterval = TimeSpan.FromMilliseconds(250) });
        var target = await StartDeployingAsync(fleet, new RolloutPolicy([new CanaryStep(20), new CanaryStep(50)]));
        var canary = fleet["host-1"];
        await StartCanaryAsync(fleet, canary, target);
        await PollUntilAsync(canary, r => Weight(r) == 20, null, "the first step's weight");

        // The agent waits in a long poll, applying 20%, when its proxy reports 10% errors against stable's 1%.
        // The report lands at a random point of the orchestrator's 250 ms tick, so runs sample the whole range of reaction times.
        var poll = canary.PollResponseAsync(waitSeconds: 10);
        await Task.Delay(200 + Random.Shared.Next(250));
        var clock = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.NoContent, (await canary.ReportMetricsAsync(Report(target, 2_000, 200, 2_000, 20, seed: 0))).StatusCode);
        var answer = await poll;
        clock.Stop();
        output.WriteLine($"bad metrics posted -> poll answered with weight {Weight(answer)} after {clock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(new TrafficRoute(Service, target, 0), Assert.Single(answer.Routes!));
        Assert.True(clock.Elapsed <= TimeSpan.FromSeconds(1.5), $"the canary left traffic {clock.Elapsed.TotalMilliseconds:F0} ms after the bad report (at most 1 s wanted)");

        var rollingBack = await GetAsync(fleet);
        Assert.Equal(DeploymentStates.RollingBack, rollingBack.State);
        Assert.StartsWith("analysis failed: Canary errors 10.0% (200/2,000) vs stable 1.0% (20/2,000)", rollingBack.Reason, StringComparison.Ordinal);
        Assert.Equal(VerdictOutcomes.Fail, rollingBack.Rollout!.Verdict?.Outcome);
        Assert.Equal(0, rollingBack.Rollout.CanaryWeight);

        var stop = await canary.NextTaskAsync();
        Assert.Equal((TaskKinds.StopCanary, target), (stop.Kind, stop.ReleaseId));
        (await canary.CompleteAsync(stop)).EnsureSuccessStatusCode();

        var done = await fleet.WaitAsync(Deployment, d => DeploymentStates.IsTerminal(d.State), "the rollback");
        Assert.Equal(DeploymentStates.RolledBack, done.State);
        Assert.StartsWith("analysis failed: ", done.Reason, StringComparison.Ordinal);
        Assert.Equal([HostStates.RolledBack, HostStates.Skipped, HostStates.Skipped], done.Hosts.Select(h => h.State));
        Assert.Equal((OldRelease, null), (canary.CurrentOf(Service), canary.CanaryOf(Service)));
        Assert.Empty((await canary.PollResponseAsync()).Routes!);
        Assert.Empty(await fleet["host-2"].PollAsync());
        Assert.Empty(await fleet["host-3"].PollAsync());
        Assert.Contains(await EventsAsync(fleet), e => e.Action == "deployment.verdict" && e.Detail!.StartsWith("fail: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deploy_TooLittleTraffic_HoldsAtTheFirstStep_UntilAborted()
    {
        await using var fleet = await Fleet.StartAsync(agents: 2);
        var target = await StartDeployingAsync(fleet, new RolloutPolicy([new CanaryStep(20), new CanaryStep(50)]));
        var canary = fleet["host-1"];
        await StartCanaryAsync(fleet, canary, target);
        await PollUntilAsync(canary, r => Weight(r) == 20, null, "the first step's weight");

        Assert.Equal(HttpStatusCode.NoContent, (await canary.ReportMetricsAsync(Report(target, 10, 0, 10, 0, seed: 0))).StatusCode);
        var judged = await fleet.WaitAsync(Deployment, d => d.Rollout?.Verdict?.Tests.FirstOrDefault()?.CanarySamples == 10, "a verdict on the report");
        Assert.Equal(VerdictOutcomes.NoData, judged.Rollout!.Verdict!.Outcome);
        Assert.Equal("Too little traffic to judge: canary 10 requests, stable 10; at least 100 needed on each side.", judged.Rollout.Verdict.Sentence);

        await Task.Delay(TimeSpan.FromSeconds(2));
        var held = await GetAsync(fleet);
        Assert.Equal((DeploymentStates.Running, 0, 20), (held.State, held.Rollout!.Step, held.Rollout.CanaryWeight));
        Assert.Equal(VerdictOutcomes.NoData, held.Rollout.Verdict?.Outcome);
        Assert.Empty((await canary.PollResponseAsync()).Tasks);

        var aborted = await ActAsync(fleet, DeploymentActions.Abort);
        Assert.Equal((DeploymentStates.RollingBack, "aborted by admin"), (aborted.State, aborted.Reason));
        var answer = await PollUntilAsync(canary, r => r.Tasks.Count > 0, null, "the stop-canary task");
        Assert.Equal(new TrafficRoute(Service, target, 0), Assert.Single(answer.Routes!));
        var stop = Assert.Single(answer.Tasks);
        Assert.Equal(TaskKinds.StopCanary, stop.Kind);
        (await canary.CompleteAsync(stop)).EnsureSuccessStatusCode();

        var done = await fleet.WaitAsync(Deployment, d => DeploymentStates.IsTerminal(d.State), "the rollback");
        Assert.Equal((DeploymentStates.RolledBack, "aborted by admin"), (done.State, done.Reason));
        Assert.Equal([HostStates.RolledBack, HostStates.Skipped], done.Hosts.Select(h => h.State));
        Assert.Contains(await EventsAsync(fleet), e => e.Action == "deployment.rolling-back" && e.Actor == "admin" && e.Detail == "aborted by admin");
    }

    [Fact]
    public async Task Pause_PassingCanary_StaysAtItsStep_ResumeAdvances_PromoteSkipsTheRest()
    {
        await using var fleet = await Fleet.StartAsync(agents: 2);
        var target = await StartDeployingAsync(fleet, new RolloutPolicy([new CanaryStep(20), new CanaryStep(50, HoldSeconds: 600), new CanaryStep(80)]));
        var canary = fleet["host-1"];
        await StartCanaryAsync(fleet, canary, target);
        await PollUntilAsync(canary, r => Weight(r) == 20, null, "the first step's weight");

        var paused = await ActAsync(fleet, DeploymentActions.Pause);
        Assert.Equal((true, 0), (paused.Rollout!.Paused, paused.Rollout.Step));
        await using var pump = new MetricsPump(canary, n => Report(target, 2_000, 20, 2_000, 20, n), TimeSpan.FromMilliseconds(250));
        await fleet.WaitAsync(Deployment, d => d.Rollout?.Verdict?.Outcome == VerdictOutcomes.Pass, "a passing verdict");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var held = await GetAsync(fleet);
        Assert.Equal((true, 0, 20, VerdictOutcomes.Pass), (held.Rollout!.Paused, held.Rollout.Step, held.Rollout.CanaryWeight, held.Rollout.Verdict?.Outcome));
        Assert.Equal(20, Weight(await canary.PollResponseAsync()));

        var resumed = await ActAsync(fleet, DeploymentActions.Resume);
        Assert.False(resumed.Rollout!.Paused);
        await PollUntilAsync(canary, r => Weight(r) == 50, null, "the second step's weight");
        Assert.Equal(1, (await GetAsync(fleet)).Rollout!.Step);

        // Step 2 holds for ten minutes; promoting skips it and step 3.
        var clock = Stopwatch.StartNew();
        var promoted = await ActAsync(fleet, DeploymentActions.Promote);
        Assert.Equal("admin", promoted.Rollout!.PromotedBy);
        var promote = await canary.NextTaskAsync();
        clock.Stop();
        output.WriteLine($"promote by API -> promote task after {clock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(TaskKinds.Promote, promote.Kind);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"the promote task took {clock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(50, Weight(await canary.PollResponseAsync(0, promote.Id)));
        (await canary.CompleteAsync(promote)).EnsureSuccessStatusCode();
        var install = await fleet["host-2"].NextTaskAsync();
        Assert.Equal(TaskKinds.Install, install.Kind);
        (await fleet["host-2"].CompleteAsync(install)).EnsureSuccessStatusCode();

        var done = await fleet.WaitAsync(Deployment, d => DeploymentStates.IsTerminal(d.State), "success");
        Assert.Equal((DeploymentStates.Succeeded, 1), (done.State, done.Rollout!.Step));
        var events = await EventsAsync(fleet);
        Assert.Contains(events, e => e.Action == "deployment.pause" && e.Actor == "admin" && e.Detail!.StartsWith("paused by admin at step 1", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Action == "deployment.resume" && e.Actor == "admin");
        Assert.Contains(events, e => e.Action == "deployment.promote" && e.Actor == "admin");
        Assert.Contains(events, e => e.Action == "deployment.promote" && e.Actor == "system" && e.Detail == "promoted by admin: skipping the remaining steps");
        Assert.Equal(2, events.Count(e => e.Action == "deployment.step"));
    }

    [Fact]
    public async Task Pause_FailingCanary_IsStillRolledBack()
    {
        await using var fleet = await Fleet.StartAsync(agents: 1);
        var target = await StartDeployingAsync(fleet, new RolloutPolicy([new CanaryStep(20), new CanaryStep(50)]));
        var canary = fleet["host-1"];
        await StartCanaryAsync(fleet, canary, target);
        await PollUntilAsync(canary, r => Weight(r) == 20, null, "the first step's weight");
        await ActAsync(fleet, DeploymentActions.Pause);

        Assert.Equal(HttpStatusCode.NoContent, (await canary.ReportMetricsAsync(Report(target, 2_000, 200, 2_000, 20, seed: 0))).StatusCode);
        var answer = await PollUntilAsync(canary, r => Weight(r) == 0, null, "the canary out of traffic");
        var stop = answer.Tasks.SingleOrDefault() ?? await canary.NextTaskAsync();
        Assert.Equal(TaskKinds.StopCanary, stop.Kind);
        (await canary.CompleteAsync(stop)).EnsureSuccessStatusCode();
        var done = await fleet.WaitAsync(Deployment, d => DeploymentStates.IsTerminal(d.State), "the rollback");
        Assert.Equal(DeploymentStates.RolledBack, done.State);
        Assert.StartsWith("analysis failed: ", done.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_BadPolicies_AreRefusedWithSentences_AndCreateNothing()
    {
        await using var fleet = await Fleet.StartAsync(agents: 1);
        fleet.Agents.ForEach(a => a.Runs(Service, OldRelease));
        await fleet.ReportAllAsync();
        await fleet.PushAsync(Service, "1.2.0");

        async Task RefusedAsync(ActivationSettings? settings, RolloutPolicy policy, string error)
        {
            var response = await fleet.Admin.PostJsonAsync(ApiRoutes.Deployments, new CreateDeployment(Service, "1.2.0", All: true, Settings: settings, Policy: policy));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(error, (await response.ReadErrorAsync()).Error);
        }

        await RefusedAsync(BehindProxy, new RolloutPolicy([new CanaryStep(50), new CanaryStep(20)]), "Step 2: canary weights must rise (50% then 20%).");
        await RefusedAsync(BehindProxy, new RolloutPolicy([new CanaryStep(20), new CanaryStep(20)]), "Step 2: canary weights must rise (20% then 20%).");
        await RefusedAsync(BehindProxy, new RolloutPolicy([new CanaryStep(0)]), "Step 1: a canary weight is a percentage from 1 to 100, not 0.");
        await RefusedAsync(null, new RolloutPolicy([new CanaryStep(10)]), "Canary steps need the service behind the traffic proxy: give it a public port (deploy --port).");
        await RefusedAsync(
            BehindProxy,
            new RolloutPolicy([new CanaryStep(10)], Analysis: new AnalysisSettings(Prometheus: new PrometheusSource("localhost:9090"))),
            "The Prometheus URL \"localhost:9090\" is not an absolute http or https URL (e.g. http://127.0.0.1:9090).");
        await RefusedAsync(
            BehindProxy,
            new RolloutPolicy([new CanaryStep(10)], Analysis: new AnalysisSettings(Prometheus: new PrometheusSource("ftp://prometheus:9090"))),
            "The Prometheus URL \"ftp://prometheus:9090\" is not an absolute http or https URL (e.g. http://127.0.0.1:9090).");
        await RefusedAsync(
            BehindProxy,
            new RolloutPolicy(
                [new CanaryStep(10)],
                Analysis: new AnalysisSettings(Prometheus: new PrometheusSource("http://127.0.0.1:9090", RequestsQuery: "sum(rate(requests{{job}}[{{window}}]))"))),
            "The requests query has an unknown placeholder {{job}}; the placeholders are {{service}}, {{version}} and {{window}}.");

        Assert.Empty(await fleet.Admin.GetJsonAsync<List<DeploymentInfo>>(ApiRoutes.Deployments));
        Assert.DoesNotContain(await EventsAsync(fleet, target: null), e => e.Action == "deployment.create");
        Assert.Empty(await fleet["host-1"].PollAsync());
    }

    [Fact]
    public async Task Act_UnknownActionOrFinishedDeployment_Is404Or409()
    {
        await using var fleet = await Fleet.StartAsync(agents: 1);
        await fleet.PushAsync(Service, "1.2.0");
        await fleet.DeployAsync(new CreateDeployment(Service, "1.2.0", All: true));
        var unknown = await fleet.Admin.PostAsync(ApiRoutes.DeploymentActionFor(Deployment, "explode"), null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("No action 'explode': use promote, abort, pause, resume.", (await unknown.ReadErrorAsync()).Error);
        var missing = await fleet.Admin.PostAsync(ApiRoutes.DeploymentActionFor("d-42", DeploymentActions.Pause), null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("No deployment d-42.", (await missing.ReadErrorAsync()).Error);

        (await fleet["host-1"].CompleteAsync(await fleet["host-1"].NextTaskAsync())).EnsureSuccessStatusCode();
        await fleet.WaitAsync(Deployment, d => d.State == DeploymentStates.Succeeded, "success");
        foreach (var action in DeploymentActions.All)
        {
            var late = await fleet.Admin.PostAsync(ApiRoutes.DeploymentActionFor(Deployment, action), null);
            Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
            Assert.Equal($"Deployment d-1 is succeeded; only a running deployment can be told to {action}.", (await late.ReadErrorAsync()).Error);
        }

        Assert.Equal(DeploymentStates.Succeeded, (await GetAsync(fleet)).State);
        Assert.DoesNotContain(await EventsAsync(fleet), e => e.Action is "deployment.pause" or "deployment.abort" or "deployment.promote" or "deployment.resume");
    }

    [Fact]
    public async Task ReportMetrics_MalformedSample_Is400_AndKeepsNothingOfTheReport()
    {
        await using var fleet = await Fleet.StartAsync(agents: 1);
        var agent = fleet["host-1"];
        var store = fleet.Server.Service<TrafficMetricsStore>();
        const string canaryRelease = "1.2.0-bbbbbbbbbbbb";
        async Task<(long Canary, long Stable)> Stored()
        {
            var (canary, stable) = await store.SplitAsync(Service, [agent.Id], DateTimeOffset.UnixEpoch, canaryRelease, CancellationToken.None);
            return (canary.Requests, stable.Requests);
        }

        var good = TrafficSamples.Side(Service, OldRelease, canary: false, requests: 500, errors: 5, seed: 1);
        var tooManyErrors = TrafficSamples.Side(Service, canaryRelease, canary: true, requests: 10, errors: 0, seed: 2) with { Errors = 11 };
        var refused = await agent.ReportMetricsAsync(good, tooManyErrors);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(
            $"The sample for {Service} 1.2.0 has counts that do not add up (requests 10, errors 11, satisfied {tooManyErrors.Satisfied}, tolerating {tooManyErrors.Tolerating}).",
            (await refused.ReadErrorAsync()).Error);
        Assert.Equal((0, 0), await Stored());

        var canarySample = TrafficSamples.Side(Service, canaryRelease, canary: true, requests: 300, errors: 3, seed: 3);
        var mismatched = canarySample with { LatencyCounts = canarySample.LatencyCounts.Skip(1).ToArray() };
        var unpaired = await agent.ReportMetricsAsync(good, mismatched);
        Assert.Equal(HttpStatusCode.BadRequest, unpaired.StatusCode);
        Assert.Equal(
            $"The latency of {Service} 1.2.0: A sparse latency histogram has {mismatched.LatencyBuckets.Count} bucket indexes but {mismatched.LatencyCounts.Count} counts; they must pair up.",
            (await unpaired.ReadErrorAsync()).Error);
        Assert.Equal((0, 0), await Stored());

        var accepted = await agent.ReportMetricsAsync(good, canarySample);
        Assert.Equal(HttpStatusCode.NoContent, accepted.StatusCode);
        Assert.Equal((300, 500), await Stored());
    }

    [Fact]
    public async Task Deploy_FirstReleaseOfAService_HasNoCanary_AndSwitchesInBatches()
    {
        await using var fleet = await Fleet.StartAsync(agents: 2);
        var packed = await fleet.PushAsync(Service, "1.0.0");
        var target = $"1.0.0-{packed.Sha256[..12]}";
        var created = await fleet.DeployAsync(new CreateDeployment(Service, "1.0.0", All: true, Settings: BehindProxy));
        Assert.Equal(RolloutPhases.Batches, created.Rollout!.Phase);
        Assert.Equal([1, 2], created.Hosts.Select(h => h.Batch));
        Assert.Contains(
            await EventsAsync(fleet),
            e => e.Action == "deployment.create" && e.Detail == "hello 1.0.0 to host-1, host-2 in batches of 1 (no canary: host-1 runs no release to compare with)");

        foreach (var agent in fleet.Agents)
        {
            var answer = await PollUntilAsync(agent, r => r.Tasks.Count > 0, null, $"a task for {agent.Name}");
            Assert.Empty(answer.Routes!);
            var task = Assert.Single(answer.Tasks);
            Assert.Equal((TaskKinds.Install, target), (task.Kind, task.ReleaseId));
            Assert.Equal(BehindProxy.Traffic, task.Settings.Traffic);
            (await agent.CompleteAsync(task)).EnsureSuccessStatusCode();
        }

        var done = await fleet.WaitAsync(Deployment, d => DeploymentStates.IsTerminal(d.State), "success");
        Assert.Equal(DeploymentStates.Succeeded, done.State);
        Assert.Equal((-1, 0, null), (done.Rollout!.Step, done.Rollout.CanaryWeight, done.Rollout.Verdict));
        var events = await EventsAsync(fleet);
        Assert.DoesNotContain(events, e => e.Action is "deployment.step" or "deployment.promote" or "deployment.verdict");
        Assert.Equal(2, events.Count(e => e.Action == "host.in-progress" && e.Detail!.Contains($": {TaskKinds.Install} {target}", StringComparison.Ordinal)));
        Assert.DoesNotContain(events, e => e.Action.StartsWith("host.", StringComparison.Ordinal) && e.Detail!.Contains($": {TaskKinds.Canary} ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deploy_BatchHold_IsWaitedOutAfterThePreviousBatchIsDone()
    {
        // The hold is time for the analysis to watch a switched batch: a batch slower than the hold must not use it up.
        var hold = TimeSpan.FromSeconds(1);
        await using var fleet = await Fleet.StartAsync(agents: 3);
        await fleet.PushAsync(Service, "1.2.0");
        await fleet.DeployAsync(new CreateDeployment(Service, "1.2.0", All: true, Policy: new RolloutPolicy([], BatchHoldSeconds: (int)hold.TotalSeconds)));

        var first = await fleet["host-1"].NextTaskAsync();
        await Task.Delay(hold * 1.5);
        Assert.Empty(await fleet["host-2"].PollAsync());
        foreach (var (done, next) in new[] { ("host-1", "host-2"), ("host-2", "host-3") })
        {
            var clock = Stopwatch.StartNew();
            var task = done == "host-1" ? first : await fleet[done].NextTaskAsync();
            (await fleet[done].CompleteAsync(task)).EnsureSuccessStatusCode();
            var started = await fleet[next].NextTaskAsync();
            clock.Stop();
            output.WriteLine($"{done} done -> {next}'s task after {clock.Elapsed.TotalMilliseconds:F0} ms (hold {hold.TotalMilliseconds:F0} ms)");
            Assert.True(clock.Elapsed >= hold * 0.95, $"{next} started {clock.Elapsed.TotalMilliseconds:F0} ms after {done} was done, inside the {hold.TotalSeconds:F0} s hold");
            if (next == "host-3")
            {
                (await fleet[next].CompleteAsync(started)).EnsureSuccessStatusCode();
            }
        }

        Assert.Equal(DeploymentStates.Succeeded, (await fleet.WaitAsync(Deployment, d => DeploymentStates.IsTerminal(d.State), "success")).State);
    }

    [Fact]
    public async Task Deploy_InitialDelay_LeavesTheCanarysFirstTrafficOutOfTheAnalysis()
    {
        var clock = new OffsetTimeProvider();
        await using var fleet = await Fleet.StartAsync(agents: 2, o => o with { Time = clock });
        var target = await StartDeployingAsync(
            fleet, new RolloutPolicy([new CanaryStep(20), new CanaryStep(50)], Analysis: new AnalysisSettings(InitialDelaySeconds: 60)));
        var canary = fleet["host-1"];
        await StartCanaryAsync(fleet, canary, target);
        await PollUntilAsync(canary, r => Weight(r) == 20, null, "the first step's weight");
        TrafficSample[] Bad(int seed) =>
        [
            TrafficSamples.Side(Service, target, canary: true, 2_000, 600, seed, end: clock.GetUtcNow()),
            TrafficSamples.Side(Service, OldRelease, canary: false, 2_000, 20, seed + 1, end: clock.GetUtcNow()),
        ];

        // A cold start's errors, inside the first minute: left out.
        Assert.Equal(HttpStatusCode.NoContent, (await canary.ReportMetricsAsync(Bad(1))).StatusCode);
        var warming = await fleet.WaitAsync(Deployment, d => d.Rollout?.Verdict?.Sentence.StartsWith("Warming up", StringComparison.Ordinal) == true, "the warm-up verdict");
        Assert.Equal(VerdictOutcomes.NoData, warming.Rollout!.Verdict!.Outcome);
        Assert.Matches(@"^Warming up: analysis leaves out the first 1 min of traffic, while new instances' code warms up; it starts in (\d+ s|1 min)\.$", warming.Rollout.Verdict.Sentence);

        clock.Advance(TimeSpan.FromSeconds(61));
        var open = await fleet.WaitAsync(Deployment, d => d.Rollout?.Verdict?.Sentence.StartsWith("Too little traffic", StringComparison.Ordinal) == true, "the window open");
        Assert.Equal("Too little traffic to judge: canary 0 requests, stable 0; at least 100 needed on each side.", open.Rollout!.Verdict!.Sentence);
        Assert.Equal(DeploymentStates.Running, open.State);

        // The same traffic once the window is open: judged, and failed.
        Assert.Equal(HttpStatusCode.NoContent, (await canary.ReportMetricsAsync(Bad(3))).StatusCode);
        var failed = await fleet.WaitAsync(Deployment, d => d.State != DeploymentStates.Running, "the verdict on the open window");
        Assert.Equal(DeploymentStates.RollingBack, failed.State);
        Assert.StartsWith("analysis failed: Canary errors 30.0% (600/2,000)", failed.Reason, StringComparison.Ordinal);
    }

    /// <summary>Every agent runs <see cref="OldRelease"/> and has said so; 1.2.0 is pushed and deployed behind the proxy with <paramref name="policy"/>
    /// (with no initial delay, unless the policy gives its analysis: these tests report traffic from the first moment).</summary>
    private static async Task<string> StartDeployingAsync(Fleet fleet, RolloutPolicy policy)
    {
        policy = policy.Analysis is null ? policy with { Analysis = new AnalysisSettings(InitialDelaySeconds: 0) } : policy;
        fleet.Agents.ForEach(a => a.Runs(Service, OldRelease));
        await fleet.ReportAllAsync();
        var packed = await fleet.PushAsync(Service, "1.2.0");
        var created = await fleet.DeployAsync(new CreateDeployment(Service, "1.2.0", All: true, Settings: BehindProxy, Policy: policy));
        Assert.Equal(Deployment, created.Id);
        return $"1.2.0-{packed.Sha256[..12]}";
    }

    /// <summary>The canary task reaches the first host only; the agent starts the canary beside current and reports it.</summary>
    private static async Task StartCanaryAsync(Fleet fleet, FakeAgent canary, string target, List<int>? weights = null)
    {
        var task = await canary.NextTaskAsync();
        Assert.Equal((TaskKinds.Canary, target, Deployment), (task.Kind, task.ReleaseId, task.DeploymentId));
        Assert.NotNull(task.Artifact);
        Assert.Equal(BehindProxy.Traffic, task.Settings.Traffic);
        foreach (var other in fleet.Agents.Where(a => a != canary))
        {
            Assert.Empty(await other.PollAsync());
        }

        (await canary.CompleteAsync(task)).EnsureSuccessStatusCode();
        Assert.Equal((OldRelease, target), (canary.CurrentOf(Service), canary.CanaryOf(Service)));
        Assert.Equal(HostStates.Canary, (await GetAsync(fleet)).Hosts[0].State);
        weights?.AddRange(canary.AppliedRoutes.Select(r => r.CanaryWeight));
    }

    /// <summary>A report of the canary host's proxy: the canary and the stable release side by side; seeds differ per report and side.</summary>
    private static TrafficSample[] Report(string target, long canaryRequests, long canaryErrors, long stableRequests, long stableErrors, int seed) =>
    [
        TrafficSamples.Side(Service, target, canary: true, canaryRequests, canaryErrors, seed: (2 * seed) + 1),
        TrafficSamples.Side(Service, OldRelease, canary: false, stableRequests, stableErrors, seed: (2 * seed) + 2),
    ];

    /// <summary>Polls as the agent does (applying what it is told) until <paramref name="done"/>, noting every canary weight it was given.</summary>
    private static Task<PollResponse> PollUntilAsync(FakeAgent agent, Func<PollResponse, bool> done, List<int>? weights, string what) =>
        Eventually.UntilAsync(
            async () =>
            {
                var answer = await agent.PollResponseAsync(waitSeconds: 1);
                weights?.AddRange(answer.Routes?.Select(r => r.CanaryWeight) ?? []);
                return answer;
            },
            done,
            what: what);

    private static int? Weight(PollResponse answer) => answer.Routes is [var route] ? route.CanaryWeight : null;

    private static Task<DeploymentInfo> GetAsync(Fleet fleet) => fleet.Admin.GetJsonAsync<DeploymentInfo>(ApiRoutes.DeploymentFor(Deployment));

    private static async Task<DeploymentInfo> ActAsync(Fleet fleet, string action) =>
        await (await fleet.Admin.PostAsync(ApiRoutes.DeploymentActionFor(Deployment, action), null)).ReadAsync<DeploymentInfo>();

    private static Task<List<EventInfo>> EventsAsync(Fleet fleet, string? target = Deployment) =>
        fleet.Admin.GetJsonAsync<List<EventInfo>>(ApiRoutes.Events + "?limit=1000" + (target is null ? string.Empty : "&target=" + target));
}
