using System.Net;
using Failsafe.DataPlane.Traffic;

namespace Failsafe.DataPlane.Tests.Traffic;

public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Get_Metrics_ServesRenderedTextInPrometheusFormat()
    {
        await using var endpoint = await MetricsEndpoint.StartAsync(
            new IPEndPoint(IPAddress.Loopback, 0), writer => writer.Write("failsafe_proxy_requests_total{service=\"web\",version=\"1\"} 3\n"), CancellationToken.None);
        using var client = new HttpClient();

        using var response = await client.GetAsync($"http://127.0.0.1:{endpoint.Port}/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("failsafe_proxy_requests_total{service=\"web\",version=\"1\"} 3\n", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("GET", "/")]
    [InlineData("GET", "/metrics/x")]
    [InlineData("POST", "/metrics")]
    public async Task Request_AnythingElse_Is404(string method, string path)
    {
        await using var endpoint = await MetricsEndpoint.StartAsync(new IPEndPoint(IPAddress.Loopback, 0), _ => { }, CancellationToken.None);
        using var client = new HttpClient();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"http://127.0.0.1:{endpoint.Port}{path}"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
