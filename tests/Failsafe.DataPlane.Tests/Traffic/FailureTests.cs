using System.Diagnostics;
using System.Net;
using Failsafe.Contracts;
using Failsafe.DataPlane.Traffic;
using Xunit.Abstractions;

namespace Failsafe.DataPlane.Tests.Traffic;

public sealed class FailureTests(ITestOutputHelper output) : ProxyTest(output)
{
    [Fact]
    public async Task Request_InstanceRefusesConnection_Answers502AndReportsFailure()
    {
        var nothing = new Backend("1.0.0", "1.0.0-r", FreePort.Find());
        await ApplyAsync(nothing);

        using var response = await Client.GetAsync(Url("/"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("1.0.0", response.Headers.GetValues("X-Failsafe-Version").Single());
        var observed = Assert.Single(Observer.Requests);
        Assert.Equal((502, true, false), (observed.StatusCode, observed.Failed, observed.Canary));
    }

    [Fact]
    public async Task Request_InstanceResetsBeforeAnswering_Answers502()
    {
        var upstream = await StartUpstreamAsync("a");
        await ApplyAsync(upstream.Backend());

        using var response = await Client.GetAsync(Url("/reset-before"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.True(Assert.Single(Observer.Requests).Failed);
    }

    [Fact]
    public async Task Request_InstanceSlowerThanTimeout_Answers504()
    {
        var upstream = await StartUpstreamAsync("a");
        await ApplyAsync(upstream.Backend(), settings: new TrafficSettings(PublicPort, UpstreamTimeoutSeconds: 1));

        var clock = Stopwatch.StartNew();
        using var response = await Client.GetAsync(Url("/slow?ms=5000"));

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(4));
        var observed = Assert.Single(Observer.Requests);
        Assert.Equal((504, true), (observed.StatusCode, observed.Failed));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Response_InstanceResetsMidBody_ClientSeesAbortNotShortBody(bool chunked)
    {
        var upstream = await StartUpstreamAsync("a");
        await ApplyAsync(upstream.Backend());

        using var response = await Client.GetAsync(Url($"/reset-mid?chunked={(chunked ? 1 : 0)}"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsByteArrayAsync());
        Assert.True(await Eventually.TrueAsync(() => Observer.Requests.Count == 1, TimeSpan.FromSeconds(5)));
        Assert.True(Observer.Requests[0].Failed);
    }

    [Fact]
    public async Task Request_ClientAborts_InstanceSeesRequestAborted()
    {
        var upstream = await StartUpstreamAsync("a");
        await ApplyAsync(upstream.Backend());

        using var cancel = new CancellationTokenSource();
        var request = Client.GetAsync(Url("/wait"), cancel.Token);
        await upstream.WaitStarted.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request);

        await upstream.WaitAborted.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(await Eventually.TrueAsync(() => Observer.Requests.Count == 1, TimeSpan.FromSeconds(5)));
        Assert.Equal((499, false), (Observer.Requests[0].StatusCode, Observer.Requests[0].Failed));
        Assert.Equal(0, Proxy.InFlight(upstream.Backend()));
    }

    [Fact]
    public async Task Request_NoInstanceRunning_Answers503WithOneLine()
    {
        await ApplyAsync(stable: null);

        using var response = await Client.GetAsync(Url("/"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal("503 Service Unavailable: no instance of web is running\n", body);
        Assert.Empty(Observer.Requests);
    }

    [Fact]
    public async Task Response_InstanceError_PassesThroughAsNotFailed()
    {
        var upstream = await StartUpstreamAsync("a");
        await ApplyAsync(upstream.Backend());

        using var response = await Client.GetAsync(Url("/status?code=503"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("status 503", await response.Content.ReadAsStringAsync());
        Assert.Equal((503, false), (Observer.Requests[0].StatusCode, Observer.Requests[0].Failed));
    }
}
