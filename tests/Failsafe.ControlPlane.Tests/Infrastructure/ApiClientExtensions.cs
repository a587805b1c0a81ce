using System.Net.Http.Json;
using Failsafe.Contracts;

namespace Failsafe.ControlPlane.Tests.Infrastructure;

internal static class ApiClientExtensions
{
    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return System.Text.Json.JsonSerializer.Deserialize<T>(body, FailsafeJson.Options)!;
    }

    public static async Task<ApiError> ReadErrorAsync(this HttpResponseMessage response)
    {
        Assert.False(response.IsSuccessStatusCode, $"expected a failure, got {(int)response.StatusCode}");
        return (await response.Content.ReadFromJsonAsync<ApiError>(FailsafeJson.Options))!;
    }

    public static Task<HttpResponseMessage> PostJsonAsync<T>(this HttpClient client, string path, T body) =>
        client.PostAsJsonAsync(path, body, FailsafeJson.Options);

    public static async Task<T> GetJsonAsync<T>(this HttpClient client, string path) =>
        await (await client.GetAsync(path)).ReadAsync<T>();

    public static async Task<HttpResponseMessage> PushAsync(this HttpClient client, string service, string version, string artifactPath, string? sha256 = null)
    {
        await using var file = File.OpenRead(artifactPath);
        using var content = new StreamContent(file);
        content.Headers.ContentType = new("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Put, ApiRoutes.PushReleaseFor(service, version)) { Content = content };
        if (sha256 is not null)
        {
            request.Headers.Add("X-Failsafe-Sha256", sha256);
        }

        return await client.SendAsync(request);
    }

    public static async Task<string> CreateAgentTokenAsync(this HttpClient admin, int? minutes = null, string? replace = null) =>
        (await (await admin.PostJsonAsync(ApiRoutes.AgentTokens, new CreateAgentToken(minutes, replace))).ReadAsync<AgentTokenCreated>()).Token;

    public static async Task<DeploymentInfo> WaitForDeploymentAsync(this HttpClient admin, string id, Func<DeploymentInfo, bool> done, string what) =>
        await Eventually.UntilAsync(() => admin.GetJsonAsync<DeploymentInfo>(ApiRoutes.DeploymentFor(id)), done, what: what);
}
