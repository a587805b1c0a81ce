using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Failsafe.Cli;
using Failsafe.Contracts;
using Failsafe.Security;

namespace Failsafe.Client;

/// <summary>
/// The CLI's side of the server API: pins the server's CA, sends the token, turns every failure into one sentence.
/// The settings hold only the CA's fingerprint, so the first request fetches the CA (<see cref="ServerCaBootstrap"/>).
/// </summary>
internal sealed partial class FailsafeClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _server;
    private readonly string _caFingerprint;
    private readonly SemaphoreSlim _bootstrap = new(1, 1);
    private X509Certificate2? _ca;
    private ServerCertificatePin? _pin;

    public FailsafeClient(ConnectionSettings settings)
    {
        _server = settings.ServerUrl;
        _caFingerprint = settings.CaFingerprint;
        var handler = new SocketsHttpHandler
        {
            // No pin yet means no trust: requests wait for EnsureCaAsync, so this only guards against misuse.
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
                    Volatile.Read(ref _pin) is { } pin && pin.Callback(sender, certificate, chain, errors),
            },
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri(settings.ServerUrl + "/"), Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", settings.Token);
    }

    public Task<WhoAmI> WhoAmIAsync(CancellationToken ct) => GetAsync<WhoAmI>(ApiRoutes.Whoami, ct);

    public Task<IReadOnlyList<ReleaseInfo>> ListReleasesAsync(string? service, CancellationToken ct) =>
        GetAsync<IReadOnlyList<ReleaseInfo>>(ApiRoutes.Releases + Query("service", service), ct);

    public Task<IReadOnlyList<AgentInfo>> ListAgentsAsync(CancellationToken ct) =>
        GetAsync<IReadOnlyList<AgentInfo>>(ApiRoutes.Agents, ct);

    public Task<AgentTokenCreated> CreateAgentTokenAsync(int? validMinutes, CancellationToken ct) =>
        CreateAgentTokenAsync(validMinutes, replace: null, ct);

    /// <param name="replace">The enrolled agent the token may replace (a re-imaged host); null for a new host.</param>
    public Task<AgentTokenCreated> CreateAgentTokenAsync(int? validMinutes, string? replace, CancellationToken ct) =>
        SendAsync<AgentTokenCreated>(
            HttpMethod.Post, ApiRoutes.AgentTokens, JsonContent.Create(new CreateAgentToken(validMinutes, replace), options: FailsafeJson.Options), ct);

    public Task<DeploymentInfo> CreateDeploymentAsync(CreateDeployment request, CancellationToken ct) =>
        SendAsync<DeploymentInfo>(HttpMethod.Post, ApiRoutes.Deployments, JsonContent.Create(request, options: FailsafeJson.Options), ct);

    public Task<DeploymentInfo> GetDeploymentAsync(string id, CancellationToken ct) =>
        GetAsync<DeploymentInfo>(ApiRoutes.DeploymentFor(id), ct);

    public Task<DeploymentInfo> ActAsync(string id, string action, CancellationToken ct) =>
        SendAsync<DeploymentInfo>(HttpMethod.Post, ApiRoutes.DeploymentActionFor(id, action), null, ct);

    public Task<IReadOnlyList<DeploymentInfo>> ListDeploymentsAsync(string? service, CancellationToken ct) =>
        GetAsync<IReadOnlyList<DeploymentInfo>>(ApiRoutes.Deployments + Query("service", service), ct);

    public Task<DeploymentInfo> RollbackAsync(string service, string? toVersion, CancellationToken ct) =>
        SendAsync<DeploymentInfo>(HttpMethod.Post, ApiRoutes.RollbackFor(service), JsonContent.Create(new RollbackRequest(toVersion), options: FailsafeJson.Options), ct);

    public Task<ServiceStatus> GetServiceStatusAsync(string service, CancellationToken ct) =>
        GetAsync<ServiceStatus>(ApiRoutes.ServiceStatusFor(service), ct);

    public Task<IReadOnlyList<EventInfo>> ListEventsAsync(int limit, CancellationToken ct) => ListEventsAsync(limit, null, ct);

    /// <param name="target">Only events on this target and its children ("d-7" also finds "d-7/host-1"); null for all.</param>
    public Task<IReadOnlyList<EventInfo>> ListEventsAsync(int limit, string? target, CancellationToken ct) =>
        GetAsync<IReadOnlyList<EventInfo>>(
            ApiRoutes.Events + Query("limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture))
            + (target is null ? "" : "&target=" + Uri.EscapeDataString(target)),
            ct);

    public async Task<ReleaseInfo> PushAsync(string service, string version, string artifactPath, string sha256, CancellationToken ct)
    {
        await using var file = File.OpenRead(artifactPath);
        using var content = new StreamContent(file, 1 << 20);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.ContentLength = file.Length;
        using var request = new HttpRequestMessage(HttpMethod.Put, ApiRoutes.PushReleaseFor(service, version).TrimStart('/')) { Content = content };
        request.Headers.Add("X-Failsafe-Sha256", sha256);
        return await SendCoreAsync<ReleaseInfo>(request, ct).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _http.Dispose();
        _bootstrap.Dispose();
        _ca?.Dispose();
    }

    private Task<T> GetAsync<T>(string route, CancellationToken ct) => SendAsync<T>(HttpMethod.Get, route, null, ct);

    private async Task<T> SendAsync<T>(HttpMethod method, string route, HttpContent? content, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, route.TrimStart('/')) { Content = content };
        return await SendCoreAsync<T>(request, ct).ConfigureAwait(false);
    }

    private async Task<T> SendCoreAsync<T>(HttpRequestMessage request, CancellationToken ct)
    {
        await EnsureCaAsync(ct).ConfigureAwait(false);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.InnerException is AuthenticationException)
        {
            throw new UserException($"The server at {_server} did not prove it holds the pinned CA (fingerprint mismatch); check --ca-fingerprint.");
        }
        catch (HttpRequestException e)
        {
            throw CannotReach(e);
        }

        using (response)
        {
            try
            {
                if (response.IsSuccessStatusCode)
                {
                    return await response.Content.ReadFromJsonAsync<T>(FailsafeJson.Options, ct).ConfigureAwait(false)
                        ?? throw new UserException($"The server at {_server} sent an empty answer.");
                }

                throw new UserException(await DescribeFailureAsync(response, ct).ConfigureAwait(false));
            }
            catch (Exception e) when (e is HttpRequestException or HttpIOException or IOException)
            {
                // The connection broke while the answer was arriving (a server restart, say).
                throw new ServerUnreachableException($"The server at {_server} stopped answering mid-response: {e.Message}");
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new UserException($"The server at {_server} sent an answer this failsafe cannot read ({e.Message}); are both the same version?");
            }
        }
    }

    /// <summary>Once per client: fetch the CA the fingerprint names, before the first request needs the pin.</summary>
    private async Task EnsureCaAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _pin) is not null)
        {
            return;
        }

        await _bootstrap.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_pin is not null)
            {
                return;
            }

            try
            {
                _ca = await ServerCaBootstrap.FetchAsync(new Uri(_server), _caFingerprint, ct).ConfigureAwait(false);
            }
            catch (ServerTrustException e)
            {
                throw new UserException(e.Message);
            }
            catch (HttpRequestException e)
            {
                throw CannotReach(e);
            }

            Volatile.Write(ref _pin, new ServerCertificatePin(_caFingerprint, _ca));
        }
        finally
        {
            _bootstrap.Release();
        }
    }

    private ServerUnreachableException CannotReach(HttpRequestException e)
    {
        var reason = e.InnerException is SocketException s ? s.Message : e.Message;
        return new ServerUnreachableException($"Cannot reach the Failsafe server at {_server}: {reason}.");
    }

    private static async Task<string> DescribeFailureAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            return "The server refused the API token (401): check --token or FAILSAFE_TOKEN.";
        }

        var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        try
        {
            var error = JsonSerializer.Deserialize<ApiError>(body, FailsafeJson.Options);
            if (error?.Error is { Length: > 0 } message)
            {
                return error.Detail is { Length: > 0 } detail ? $"{message} {detail}" : message;
            }
        }
        catch (JsonException)
        {
        }

        return $"The server answered {(int)response.StatusCode} {response.ReasonPhrase}.";
    }

    private static string Query(string name, string? value) =>
        string.IsNullOrEmpty(value) ? "" : $"?{name}={Uri.EscapeDataString(value)}";
}
