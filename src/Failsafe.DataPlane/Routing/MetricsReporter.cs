using Failsafe.Contracts;
using Microsoft.Extensions.Logging;

namespace Failsafe.DataPlane;

/// <summary>
/// Sends the server what the proxy measured, every second. Metrics are evidence, not state: a report the
/// server does not take is dropped, and analysis simply sees a little less traffic.
/// </summary>
internal sealed class MetricsReporter(ProxyMetrics metrics, TimeProvider time, ILogger logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public async Task RunAsync(Func<MetricsReport, CancellationToken, Task> send, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            var samples = metrics.Recorder.Drain();
            if (samples.Count == 0)
            {
                continue;
            }

            try
            {
                await send(new MetricsReport(samples), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.MetricsNotReported(logger, ServerErrors.Describe(e));
            }
        }
    }
}
