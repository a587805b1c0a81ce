using System.Globalization;
using System.Net.Http.Json;
using Failsafe.Contracts;

namespace Failsafe.DataPlane;

/// <summary>The agent's side of the agent protocol (v1), over an mTLS <see cref="ServerConnection"/>.</summary>
internal sealed class AgentClient(HttpClient http, TimeProvider time) : IAgentServer, IArtifactSource
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    public async Task<PollResponse> PollAsync(PollRequest request, int waitSeconds, CancellationToken cancellationToken)
    {
        // The server may hold the request up to waitSeconds; allow that plus a normal request's time.
        using var timeout = Deadline(TimeSpan.FromSeconds(waitSeconds) + RequestTimeout, cancellationToken);
        var uri = $"{AgentRoutes.Poll}?waitSeconds={waitSeconds.ToString(CultureInfo.InvariantCulture)}";
        using var response = await http.PostAsJsonAsync(uri, request, FailsafeJson.Options, timeout.Token).ConfigureAwait(false);
        await ServerErrors.EnsureSuccessAsync(response, "poll", timeout.Token).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<PollResponse>(FailsafeJson.Options, timeout.Token).ConfigureAwait(false)
            ?? new PollResponse([]);
    }

    public async Task PostStepAsync(long taskId, StepReport step, CancellationToken cancellationToken)
    {
        using var timeout = Deadline(TimeSpan.FromSeconds(10), cancellationToken);
        using var response = await http.PostAsJsonAsync(AgentRoutes.StepsFor(taskId), step, FailsafeJson.Options, timeout.Token).ConfigureAwait(false);
        await ServerErrors.EnsureSuccessAsync(response, $"step report of task {taskId}", timeout.Token).ConfigureAwait(false);
    }

    public async Task CompleteAsync(long taskId, TaskResult result, CancellationToken cancellationToken)
    {
        using var timeout = Deadline(RequestTimeout, cancellationToken);
        using var response = await http.PostAsJsonAsync(AgentRoutes.CompleteFor(taskId), result, FailsafeJson.Options, timeout.Token).ConfigureAwait(false);
        await ServerErrors.EnsureSuccessAsync(response, $"completion of task {taskId}", timeout.Token).ConfigureAwait(false);
    }

    public async Task PostMetricsAsync(MetricsReport report, CancellationToken cancellationToken)
    {
        using var timeout = Deadline(TimeSpan.FromSeconds(5), cancellationToken);
        using var response = await http.PostAsJsonAsync(AgentRoutes.Metrics, report, FailsafeJson.Options, timeout.Token).ConfigureAwait(false);
        await ServerErrors.EnsureSuccessAsync(response, "metrics report", timeout.Token).ConfigureAwait(false);
    }

    /// <summary>The artifact's bytes, streamed; the caller hashes them as they arrive.</summary>
    public async Task<Stream> OpenAsync(ArtifactRef artifact, CancellationToken cancellationToken)
    {
        using var headers = Deadline(RequestTimeout, cancellationToken);
        var response = await http.GetAsync(AgentRoutes.BlobFor(artifact.Sha256), HttpCompletionOption.ResponseHeadersRead, headers.Token).ConfigureAwait(false);
        try
        {
            await ServerErrors.EnsureSuccessAsync(response, $"download of artifact {artifact.Sha256[..12]}", headers.Token).ConfigureAwait(false);
            return new ResponseStream(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), response, time);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private Deadline Deadline(TimeSpan after, CancellationToken cancellationToken) => new(after, time, cancellationToken);
}
