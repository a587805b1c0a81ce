using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Failsafe.Contracts;
using Failsafe.Security;

namespace Failsafe.ControlPlane.Tests.Infrastructure;

/// <summary>
/// An agent that speaks the real protocol over mTLS (enrolls with a real CSR, polls, reports) but
/// only pretends to install: it keeps an inventory of what it "runs" per service.
/// </summary>
internal sealed class FakeAgent : IDisposable
{
    private readonly Dictionary<string, (string? Current, List<string> Installed, string? Canary)> _services = [];
    private HttpClient _client;

    private FakeAgent(string name, string id, X509Certificate2 certificate, string serverCaPem, TestServer server)
    {
        Name = name;
        Id = id;
        Certificate = certificate;
        ServerCaPem = serverCaPem;
        _client = server.Client(clientCertificate: certificate);
    }

    public string Name { get; }

    public string Id { get; }

    public X509Certificate2 Certificate { get; }

    /// <summary>The CA the enrollment answer told the agent to pin.</summary>
    public string ServerCaPem { get; }

    public static async Task<FakeAgent> EnrollAsync(TestServer server, string name, string? token = null)
    {
        token ??= await server.Admin().CreateAgentTokenAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = CertificateSigningRequest.CreatePem(key, name);
        using var anonymous = server.Client();
        var response = await anonymous.PostJsonAsync(AgentRoutes.Enroll, new EnrollRequest(name, token, csr, "test-agent/1"));
        var enrolled = await response.ReadAsync<EnrollResponse>();
        using var issued = X509Certificate2.CreateFromPem(enrolled.CertificatePem);
        using var withKey = issued.CopyWithPrivateKey(key);

        // A PFX round trip gives a certificate whose key TLS can use on every platform.
        var certificate = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        return new FakeAgent(name, enrolled.AgentId, certificate, enrolled.CaCertificatePem, server);
    }

    /// <summary>After a server restart: same identity, new address.</summary>
    public void Reconnect(TestServer server)
    {
        _client.Dispose();
        _client = server.Client(clientCertificate: Certificate);
    }

    /// <summary>The canary routes this agent's (pretend) proxy applies: what the last poll answer asked for.</summary>
    public IReadOnlyList<TrafficRoute> AppliedRoutes { get; private set; } = [];

    public void Runs(string service, string current, params string[] installed) =>
        _services[service] = (current, [.. installed.Append(current).Distinct()], null);

    public string? CurrentOf(string service) => _services.TryGetValue(service, out var s) ? s.Current : null;

    public string? CanaryOf(string service) => _services.TryGetValue(service, out var s) ? s.Canary : null;

    /// <summary>What the agent says with <c>--tag</c>: host groups may pick it by these.</summary>
    public List<string> Tags { get; } = [];

    public HostInventory Inventory() => new(
        "test-agent/1",
        _services.Select(kv => new ServiceState(
            kv.Key, kv.Value.Current, kv.Value.Current?.Split('-')[0], kv.Value.Installed, null,
            kv.Value.Canary is { } canary ? new InstanceState(canary, 40_000, 4242, "running", 0) : null)).ToList(),
        Tags.Count > 0 ? Tags : null);

    public async Task<IReadOnlyList<AgentTask>> PollAsync(int waitSeconds = 0, params long[] running) =>
        (await PollResponseAsync(waitSeconds, running)).Tasks;

    /// <summary>Polls with the routes it applies, and applies the routes the server answers with, as the real agent does.</summary>
    public async Task<PollResponse> PollResponseAsync(int waitSeconds = 0, params long[] running)
    {
        var response = await _client.PostJsonAsync($"{AgentRoutes.Poll}?waitSeconds={waitSeconds}", new PollRequest(Inventory(), running, AppliedRoutes));
        var answer = await response.ReadAsync<PollResponse>();
        if (answer.Routes is { } routes)
        {
            AppliedRoutes = routes;
        }

        return answer;
    }

    public Task<HttpResponseMessage> ReportMetricsAsync(params TrafficSample[] samples) =>
        _client.PostJsonAsync(AgentRoutes.Metrics, new MetricsReport(samples));

    /// <summary>Polls until a task arrives.</summary>
    public async Task<AgentTask> NextTaskAsync()
    {
        var tasks = await Eventually.UntilAsync(() => PollAsync(waitSeconds: 1), t => t.Count > 0, what: $"a task for {Name}");
        return Assert.Single(tasks);
    }

    public async Task StepAsync(AgentTask task, string name, string status = StepStatus.Succeeded)
    {
        var response = await _client.PostJsonAsync(AgentRoutes.StepsFor(task.Id), new StepReport(name, status, DateTimeOffset.UtcNow, 5, null));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Pretends to carry the task out and reports the outcome, as the real agent would.</summary>
    public async Task<HttpResponseMessage> CompleteAsync(AgentTask task, bool succeeded = true, string? error = null)
    {
        var (current, installed, canary) = _services.GetValueOrDefault(task.Service, (null, [], null));
        var previous = current;
        if (succeeded)
        {
            switch (task.Kind)
            {
                case TaskKinds.Install:
                case TaskKinds.Activate:
                    current = task.ReleaseId;
                    installed = [.. installed.Append(task.ReleaseId!).Distinct()];
                    break;
                case TaskKinds.Deactivate:
                    current = null;
                    break;
                case TaskKinds.Canary:
                    // Runs beside current, which does not change.
                    canary = task.ReleaseId;
                    installed = [.. installed.Append(task.ReleaseId!).Distinct()];
                    break;
                case TaskKinds.Promote:
                    current = task.ReleaseId;
                    canary = null;
                    break;
                case TaskKinds.StopCanary:
                    canary = null;
                    break;
            }

            _services[task.Service] = (current, installed, canary);
        }

        var result = new TaskResult(succeeded, error, previous, current, Inventory());
        return await _client.PostAsJsonAsync(AgentRoutes.CompleteFor(task.Id), result, FailsafeJson.Options);
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => _client.SendAsync(request);

    public void Dispose()
    {
        _client.Dispose();
        Certificate.Dispose();
    }
}
