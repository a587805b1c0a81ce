using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Authentication;
using Failsafe.Contracts;

namespace Failsafe.ControlPlane.Analysis;

/// <summary>
/// Reads one version's requests, errors and latency histogram over the analysis window from Prometheus'
/// instant-query API. Any way of not getting the numbers is a <see cref="PrometheusQueryException"/> with a
/// one-line message; the caller holds the rollout on it, never passes it.
/// </summary>
internal sealed class PrometheusMetricSource(HttpClient http, TimeProvider time)
{
    public const string HttpClientName = "Failsafe.Prometheus";

    /// <summary>Per query. Analysis asks again every few seconds, so waiting longer only delays the HOLD.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>A query meant to return one number or a few buckets has no business sending more.</summary>
    private const int MaxAnswerBytes = 4 << 20;

    public async Task<PrometheusWindow> QueryAsync(
        PrometheusSource source, string service, string version, TimeSpan window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var endpoint = PrometheusEndpoint.Parse(source.Url);

        // Every template is rendered before anything is sent: a bad one fails the same way every time.
        var requests = Render("requests", source.RequestsQuery, service, version, window);
        var errors = Render("errors", source.ErrorsQuery, service, version, window);
        var buckets = string.IsNullOrWhiteSpace(source.LatencyBucketsQuery) ? null : Render("latency buckets", source.LatencyBucketsQuery, service, version, window);

        // One evaluation time for all three, so requests and errors describe the same window.
        var at = UnixSeconds(time.GetUtcNow());
        var requestsTask = RunAsync(endpoint, requests, at, cancellationToken);
        var errorsTask = RunAsync(endpoint, errors, at, cancellationToken);
        var bucketsTask = buckets is null ? null : RunAsync(endpoint, buckets, at, cancellationToken);
        await Task.WhenAll(bucketsTask is null ? [requestsTask, errorsTask] : [requestsTask, errorsTask, bucketsTask]).ConfigureAwait(false);

        IReadOnlyList<(double UpperSeconds, double CumulativeCount)> latency = [];
        if (bucketsTask is not null)
        {
            var (isScalar, series) = await bucketsTask.ConfigureAwait(false);
            latency = PrometheusAnswer.Buckets(buckets!, isScalar, series);
        }

        return new PrometheusWindow(
            PrometheusAnswer.SingleNumber(requests, (await requestsTask.ConfigureAwait(false)).Series),
            PrometheusAnswer.SingleNumber(errors, (await errorsTask.ConfigureAwait(false)).Series),
            latency);
    }

    /// <summary>
    /// Throws <see cref="PrometheusQueryException"/> when the source could never work (URL, templates), so a
    /// policy can be refused when it is submitted rather than hold its rollout later.
    /// </summary>
    public static void Check(PrometheusSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        PrometheusEndpoint.Parse(source.Url);
        PromQlTemplate.Check("requests", source.RequestsQuery);
        PromQlTemplate.Check("errors", source.ErrorsQuery);
        if (!string.IsNullOrWhiteSpace(source.LatencyBucketsQuery))
        {
            PromQlTemplate.Check("latency buckets", source.LatencyBucketsQuery);
        }
    }

    private static PrometheusQuery Render(string name, string template, string service, string version, TimeSpan window) =>
        new(name, PromQlTemplate.Render(name, template, service, version, window), service, version);

    private async Task<(bool IsScalar, IReadOnlyList<PrometheusSeries> Series)> RunAsync(
        PrometheusEndpoint endpoint, PrometheusQuery query, string at, CancellationToken cancellationToken)
    {
        var uri = new Uri($"{endpoint.QueryUri}?query={Uri.EscapeDataString(query.Text)}&time={at}");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = endpoint.Authorization;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        // HttpClient.Timeout stops at the headers when the body is streamed; this covers the body too.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(http.Timeout);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var body = await ReadAsync(response.Content, endpoint, query, timeout.Token).ConfigureAwait(false);
            return PrometheusAnswer.Parse(query, endpoint, (int)response.StatusCode, response.ReasonPhrase ?? "", body);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PrometheusQueryException(
                $"Prometheus at {endpoint.Display} did not answer the {query.Name} query within {http.Timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s.", e);
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
                                                 or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError)
        {
            throw new PrometheusQueryException($"Prometheus at {endpoint.Display} is unreachable: {Reason(e)}", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new PrometheusQueryException($"Prometheus at {endpoint.Display} broke off its answer to the {query.Name} query: {Reason(e)}", e);
        }
    }

    private static async Task<byte[]> ReadAsync(HttpContent content, PrometheusEndpoint endpoint, PrometheusQuery query, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > MaxAnswerBytes)
        {
            throw TooLarge(endpoint, query);
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxAnswerBytes)
                {
                    throw TooLarge(endpoint, query);
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    private static PrometheusQueryException TooLarge(PrometheusEndpoint endpoint, PrometheusQuery query) => new(
        $"Prometheus at {endpoint.Display} answered the {query.Name} query with more than {MaxAnswerBytes >> 20} MB; the query must return one number (or one series per bucket). {query.Quoted}");

    /// <summary>The socket or TLS error itself, not "see inner exception".</summary>
    private static string Reason(Exception e)
    {
        Exception reason = e;
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is AuthenticationException or System.Net.Sockets.SocketException)
            {
                reason = inner;
                break;
            }
        }

        var text = PromQlTemplate.OneLine(reason.Message);
        return text.EndsWith('.') ? text : text + ".";
    }

    /// <summary>The "time" parameter: Unix seconds with milliseconds, as the API takes it.</summary>
    private static string UnixSeconds(DateTimeOffset at)
    {
        var ms = at.ToUnixTimeMilliseconds();
        return string.Create(CultureInfo.InvariantCulture, $"{ms / 1000}.{ms % 1000:D3}");
    }
}
