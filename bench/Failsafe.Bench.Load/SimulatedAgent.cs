using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Failsafe.Analysis;
using Failsafe.Contracts;
using Failsafe.Security;

namespace Failsafe.Bench.Load;

/// <summary>
/// One host's agent, speaking the real protocol over mutual TLS with its own certificate: it long-polls with its inventory (one
/// service), runs the tasks it gets one at a time while polling goes on (fetches the artifact, reports eight steps, each running
/// then succeeded, completes), and may report its proxy's traffic every second. Nothing is installed: the inventory is pretended.
/// </summary>
internal sealed class SimulatedAgent : IDisposable
{
    private const string AgentVersion = "bench-agent/1";
    private static readonly string[] InstallSteps = ["download", "verify", "extract", "start", "health", "switch", "stop-old", "retention"];

    private readonly HttpClient _http;
    private readonly X509Certificate2 _certificate;
    private readonly RequestLog _log;
    private readonly TaskLog _tasks;
    private readonly ConcurrentDictionary<long, byte> _pending = new();
    private readonly Channel<AgentTask> _queue = Channel.CreateUnbounded<AgentTask>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TrafficShape _traffic;
    private volatile ServiceState _state;

    private SimulatedAgent(string name, string service, X509Certificate2 certificate, string serverUrl, ServerTrust trust, RequestLog log, TaskLog tasks)
    {
        Name = name;
        Service = service;
        _certificate = certificate;
        _log = log;
        _tasks = tasks;
        _traffic = new TrafficShape(name.GetHashCode(StringComparison.Ordinal));
        const string seed = "0.9.0-000000000000";
        _state = new ServiceState(service, seed, "0.9.0", [seed], new InstanceState(seed, 40_000, 4242, "running", 0));

        // Like the real agent: HTTP/1.1, so the long poll holds one connection and the task reports and metrics use others.
        var handler = new SocketsHttpHandler
        {
            SslOptions = trust.SslOptions(certificate),
            UseProxy = false,
            MaxConnectionsPerServer = 3,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri(serverUrl), Timeout = Timeout.InfiniteTimeSpan };
    }

    public string Name { get; }

    public string Service { get; }

    /// <summary>A new key, a CSR, a one-time token: the client certificate the server signs. Returns the milliseconds it took.</summary>
    public static async Task<(SimulatedAgent Agent, double Milliseconds)> EnrollAsync(
        HttpClient anonymous, string serverUrl, string name, string service, string token, ServerTrust trust, RequestLog log, TaskLog tasks,
        CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = CertificateSigningRequest.CreatePem(key, name);
        using var response = await anonymous.PostAsJsonAsync(
            new Uri(new Uri(serverUrl), AgentRoutes.Enroll), new EnrollRequest(name, token, csr, AgentVersion), FailsafeJson.Options, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"enrolling {name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }

        var enrolled = (await response.Content.ReadFromJsonAsync<EnrollResponse>(FailsafeJson.Options, ct))!;
        using var issued = X509Certificate2.CreateFromPem(enrolled.CertificatePem);
        using var withKey = issued.CopyWithPrivateKey(key);

        // A PFX round trip gives a certificate whose key TLS can use (as the tests' FakeAgent does).
        var certificate = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        return (new SimulatedAgent(name, service, certificate, serverUrl, trust, log, tasks), elapsed);
    }

    /// <summary>Polls (and reports metrics when asked) until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(bool reportsMetrics, TimeSpan stepTime, CancellationToken ct)
    {
        var work = Task.Run(() => WorkAsync(stepTime, ct), CancellationToken.None);
        var metrics = reportsMetrics ? Task.Run(() => ReportMetricsAsync(ct), CancellationToken.None) : Task.CompletedTask;
        await PollAsync(ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _queue.Writer.TryComplete();
        await work.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await metrics.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose()
    {
        _http.Dispose();
        _certificate.Dispose();
    }

    private HostInventory Inventory() => new(AgentVersion, [_state]);

    private async Task PollAsync(CancellationToken ct)
    {
        var uri = $"{AgentRoutes.Poll}?waitSeconds={LoadSettings.PollWaitSeconds.ToString(CultureInfo.InvariantCulture)}";
        while (!ct.IsCancellationRequested)
        {
            var start = Stopwatch.GetTimestamp();
            PollResponse? answer = null;
            try
            {
                using var deadline = Deadline(TimeSpan.FromSeconds(LoadSettings.PollWaitSeconds + 30), ct);
                using var response = await _http.PostAsJsonAsync(uri, new PollRequest(Inventory(), [.. _pending.Keys.Order()], []), FailsafeJson.Options, deadline.Token);
                if (response.IsSuccessStatusCode)
                {
                    answer = await response.Content.ReadFromJsonAsync<PollResponse>(FailsafeJson.Options, deadline.Token);
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
            {
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (answer is null)
            {
                _log.Record(RequestKind.PollFailed, start, ok: false);
                await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            var waited = Stopwatch.GetElapsedTime(start);
            _log.Record(
                answer.Tasks.Count > 0 ? RequestKind.PollWithTask
                : waited >= TimeSpan.FromSeconds(LoadSettings.PollWaitSeconds - 0.5) ? RequestKind.PollTimedOut
                : RequestKind.PollEarlyEmpty,
                start, ok: true);
            foreach (var task in answer.Tasks)
            {
                if (_pending.TryAdd(task.Id, 0))
                {
                    _tasks.Received(task.DeploymentId, Name);
                    _queue.Writer.TryWrite(task);
                }
            }
        }
    }

    private async Task WorkAsync(TimeSpan stepTime, CancellationToken ct)
    {
        await foreach (var task in _queue.Reader.ReadAllAsync(ct))
        {
            var previous = _state.Current;
            var ok = true;
            if (task.Artifact is { } artifact)
            {
                ok &= await SendAsync(RequestKind.Blob, () => new HttpRequestMessage(HttpMethod.Get, AgentRoutes.BlobFor(artifact.Sha256)), ct);
            }

            foreach (var step in InstallSteps)
            {
                var startedAt = TimeProvider.System.GetUtcNow();
                await PostAsync(RequestKind.Step, AgentRoutes.StepsFor(task.Id), new StepReport(step, StepStatus.Running, startedAt, 0, null), ct);
                await Task.Delay(stepTime, ct);
                await PostAsync(RequestKind.Step, AgentRoutes.StepsFor(task.Id),
                    new StepReport(step, StepStatus.Succeeded, startedAt, (long)stepTime.TotalMilliseconds, null), ct);
            }

            if (ok && task.ReleaseId is { } release && task.Kind is TaskKinds.Install or TaskKinds.Activate)
            {
                var installed = _state.Installed.Append(release).Distinct().TakeLast(5).ToList();
                _state = _state with { Current = release, CurrentVersion = task.Version, Installed = installed, Instance = new InstanceState(release, 40_001, 4243, "running", 0) };
            }

            var result = new TaskResult(ok, ok ? null : "the artifact could not be fetched", previous, _state.Current, Inventory());
            // The result is the record of what happened: posted until the server has it, as the real agent does.
            for (var attempt = 0; attempt < 5 && !await PostAsync(RequestKind.Complete, AgentRoutes.CompleteFor(task.Id), result, ct); attempt++)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }

            _tasks.Completed(task.DeploymentId, Name);
            _pending.TryRemove(task.Id, out _);
        }
    }

    private async Task ReportMetricsAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(ct))
        {
            var end = TimeProvider.System.GetUtcNow();
            var state = _state;
            var sample = _traffic.Sample(state.Service, state.CurrentVersion ?? "0.9.0", state.Current ?? "none", end);
            await PostAsync(RequestKind.Metrics, AgentRoutes.Metrics, new MetricsReport([sample]), ct);
        }
    }

    private Task<bool> PostAsync<T>(RequestKind kind, string route, T body, CancellationToken ct) =>
        SendAsync(kind, () => new HttpRequestMessage(HttpMethod.Post, route) { Content = JsonContent.Create(body, options: FailsafeJson.Options) }, ct);

    private async Task<bool> SendAsync(RequestKind kind, Func<HttpRequestMessage> create, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            using var deadline = Deadline(TimeSpan.FromSeconds(30), ct);
            using var request = create();
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token);
            _log.Record(kind, start, response.IsSuccessStatusCode);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            _log.Record(kind, start, ok: false);
            return false;
        }
    }

    private static CancellationTokenSource Deadline(TimeSpan timeout, CancellationToken ct)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(ct);
        source.CancelAfter(timeout);
        return source;
    }

    /// <summary>What a proxy in front of a healthy service measures in a second: ~100 requests, log-normal latency around 40 ms.</summary>
    private sealed class TrafficShape
    {
        private readonly int[] _buckets;
        private readonly long[] _counts;
        private readonly long _satisfied;
        private readonly long _tolerating;

        public TrafficShape(int seed)
        {
            var random = new Random(seed);
            var histogram = new LatencyHistogram();
            for (var i = 0; i < 100; i++)
            {
                var ms = 40 * Math.Exp(0.5 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
                histogram.RecordMicroseconds((long)(ms * 1000));
                _satisfied += ms <= 100 ? 1 : 0;
                _tolerating += ms is > 100 and <= 400 ? 1 : 0;
            }

            (_buckets, _counts) = histogram.ToSparse();
        }

        public TrafficSample Sample(string service, string version, string release, DateTimeOffset end) =>
            new(service, version, release, false, end - TimeSpan.FromSeconds(1), end, 100, 0, _satisfied, _tolerating, _buckets, _counts);
    }
}
