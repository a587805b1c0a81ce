using System.Diagnostics;
using System.Globalization;
using Failsafe.Contracts;

namespace Failsafe.Bench.Load;

/// <summary>
/// A CI pipeline for one service: every few seconds it pushes a new small release and deploys it to the next hosts of its
/// share of the fleet, in batches, then follows the deployment through the API as `failsafe deploy` does (one GET a second).
/// </summary>
internal sealed class DeploymentLane(
    string service, IReadOnlyList<string> hosts, AdminApi admin, LoadSettings settings, RequestLog log, TaskLog tasks, string work)
{
    private readonly List<double> _wallSeconds = [];
    private int _offset;

    public int Started { get; private set; }

    public int Succeeded { get; private set; }

    public int Failed { get; private set; }

    public int Errors { get; private set; }

    public IReadOnlyList<double> WallSeconds => _wallSeconds;

    public async Task RunAsync(CancellationToken ct)
    {
        for (var k = 1; !ct.IsCancellationRequested; k++)
        {
            var next = Stopwatch.GetTimestamp() + (long)(settings.DeployEverySeconds * Stopwatch.Frequency);
            try
            {
                await DeployAsync($"1.0.{k.ToString(CultureInfo.InvariantCulture)}", ct);
                var rest = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                if (rest > TimeSpan.Zero)
                {
                    await Task.Delay(rest, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is InvalidOperationException or HttpRequestException or OperationCanceledException)
            {
                // An API call that failed or timed out: counted, and the pipeline carries on.
                Errors++;
                Console.Error.WriteLine($"  {service}: {e.Message}");
                await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task DeployAsync(string version, CancellationToken ct)
    {
        var (artifact, sha256) = await TinyRelease.PackAsync(work, service, version);
        var start = Stopwatch.GetTimestamp();
        await admin.PushAsync(service, version, artifact, sha256, ct);
        log.Record(RequestKind.Push, start, ok: true);

        var group = Enumerable.Range(0, Math.Min(settings.DeployHosts, hosts.Count)).Select(i => hosts[(_offset + i) % hosts.Count]).ToList();
        _offset = (_offset + group.Count) % hosts.Count;
        start = Stopwatch.GetTimestamp();
        var deployment = await admin.CreateDeploymentAsync(new CreateDeployment(service, version, group, BatchSize: settings.DeployBatch), ct);
        log.Record(RequestKind.CreateDeployment, start, ok: true);
        tasks.Created(deployment.Id, start, group, settings.DeployBatch);
        Started++;

        while (!DeploymentStates.IsTerminal(deployment.State))
        {
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
            var asked = Stopwatch.GetTimestamp();
            deployment = await admin.GetDeploymentAsync(deployment.Id, ct);
            log.Record(RequestKind.GetDeployment, asked, ok: true);
        }

        _wallSeconds.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        if (deployment.State == DeploymentStates.Succeeded)
        {
            Succeeded++;
        }
        else
        {
            Failed++;
            Console.Error.WriteLine($"  deployment {deployment.Id} of {service} {version}: {deployment.State}: {deployment.Reason}");
        }
    }
}
