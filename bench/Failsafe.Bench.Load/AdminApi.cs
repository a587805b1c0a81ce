using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Failsafe.Contracts;

namespace Failsafe.Bench.Load;

/// <summary>The few API calls the benchmark makes as an administrator (what the CLI would do): tokens, pushes, deployments.</summary>
internal sealed class AdminApi : IDisposable
{
    private readonly HttpClient _http;

    public AdminApi(string serverUrl, string token, ServerTrust trust)
    {
        var handler = new SocketsHttpHandler { SslOptions = trust.SslOptions(), UseProxy = false, MaxConnectionsPerServer = 32 };
        _http = new HttpClient(handler) { BaseAddress = new Uri(serverUrl), Timeout = TimeSpan.FromSeconds(60) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>Until the server answers an authenticated call.</summary>
    public async Task WaitReadyAsync(ServerProcess server, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await _http.GetAsync(ApiRoutes.Whoami, ct);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (server.HasExited || clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new InvalidOperationException($"The server at {server.Url} did not answer; see {server.LogPath}.");
            }

            await Task.Delay(100, ct);
        }
    }

    public async Task<string> CreateAgentTokenAsync(CancellationToken ct) =>
        (await SendAsync<AgentTokenCreated>(HttpMethod.Post, ApiRoutes.AgentTokens, JsonContent.Create(new CreateAgentToken(60), options: FailsafeJson.Options), ct)).Token;

    public async Task PushAsync(string service, string version, byte[] artifact, string sha256, CancellationToken ct)
    {
        var content = new ByteArrayContent(artifact);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Put, ApiRoutes.PushReleaseFor(service, version)) { Content = content };
        request.Headers.Add("X-Failsafe-Sha256", sha256);
        using var response = await _http.SendAsync(request, ct);
        await EnsureAsync(response, ct);
    }

    public Task<DeploymentInfo> CreateDeploymentAsync(CreateDeployment request, CancellationToken ct) =>
        SendAsync<DeploymentInfo>(HttpMethod.Post, ApiRoutes.Deployments, JsonContent.Create(request, options: FailsafeJson.Options), ct);

    public Task<DeploymentInfo> GetDeploymentAsync(string id, CancellationToken ct) =>
        SendAsync<DeploymentInfo>(HttpMethod.Get, ApiRoutes.DeploymentFor(id), null, ct);

    public void Dispose() => _http.Dispose();

    private async Task<T> SendAsync<T>(HttpMethod method, string route, HttpContent? content, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, route) { Content = content };
        using var response = await _http.SendAsync(request, ct);
        await EnsureAsync(response, ct);
        return await response.Content.ReadFromJsonAsync<T>(FailsafeJson.Options, ct)
            ?? throw new InvalidOperationException($"{method} {route}: empty answer");
    }

    private static async Task EnsureAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}: {(int)response.StatusCode} {body}");
        }
    }
}
