using System.Net;
using Failsafe.Contracts;

namespace Failsafe.ControlPlane.Tests.Infrastructure;

/// <summary>Posts a metrics report for an agent every interval until disposed, as the agent's proxy does every second.</summary>
internal sealed class MetricsPump : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <param name="report">Builds report number n (0, 1, …); each should use its own seeds.</param>
    public MetricsPump(FakeAgent agent, Func<int, TrafficSample[]> report, TimeSpan interval) =>
        _loop = RunAsync(agent, report, interval, _stop.Token);

    public int Sent { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop; // a refused report fails the test here
        _stop.Dispose();
    }

    private async Task RunAsync(FakeAgent agent, Func<int, TrafficSample[]> report, TimeSpan interval, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var response = await agent.ReportMetricsAsync(report(Sent));
            Assert.True(response.StatusCode == HttpStatusCode.NoContent, $"metrics report {Sent}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Sent++;
            try
            {
                await Task.Delay(interval, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
