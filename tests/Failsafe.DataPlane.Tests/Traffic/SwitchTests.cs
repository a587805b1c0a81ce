using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Failsafe.Contracts;
using Failsafe.DataPlane.Traffic;
using Xunit.Abstractions;

namespace Failsafe.DataPlane.Tests.Traffic;

public sealed class SwitchTests(ITestOutputHelper output) : ProxyTest(output)
{
    private readonly ITestOutputHelper _output = output;

    [Fact]
    public async Task Switch_UnderConstantLoad_DropsNoRequest()
    {
        var current = await StartUpstreamAsync("u0");
        await ApplyAsync(current.Backend());

        using var stop = new CancellationTokenSource();
        var served = 0;
        var failures = new List<string>();
        var seen = new HashSet<string>();
        async Task ClientLoopAsync()
        {
            using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await client.GetAsync(Url("/name"));
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        lock (failures)
                        {
                            failures.Add($"{(int)response.StatusCode} {body}");
                        }
                    }
                    else
                    {
                        lock (seen)
                        {
                            seen.Add(body);
                        }
                    }

                    Interlocked.Increment(ref served);
                }
                catch (HttpRequestException e)
                {
                    lock (failures)
                    {
                        failures.Add(e.Message);
                    }
                }
            }
        }

        var clients = Enumerable.Range(0, 6).Select(_ => Task.Run(ClientLoopAsync)).ToArray();
        var clock = Stopwatch.StartNew();
        var switches = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(3) || switches < 10)
        {
            var next = await StartUpstreamAsync($"u{++switches}");
            await ApplyAsync(next.Backend());
            Assert.True(await Proxy.DrainAsync(current.Backend(), TimeSpan.FromSeconds(5), CancellationToken.None), "the old instance did not drain");
            await current.DisposeAsync();
            current = next;
            await Task.Delay(100);
        }

        await stop.CancelAsync();
        await Task.WhenAll(clients);

        _output.WriteLine($"{served} requests, {switches} switches, {seen.Count} instances answered");
        Assert.Empty(failures);
        Assert.True(switches >= 10);
        Assert.True(served > 500, $"only {served} requests were served");
        Assert.True(seen.Count >= 10, "the switches did not move the traffic");
        Assert.DoesNotContain(Observer.Requests, r => r.Failed || r.StatusCode != 200);
    }

    [Fact]
    public async Task Drain_RequestInFlightToOldBackend_WaitsForIt()
    {
        var old = await StartUpstreamAsync("old");
        var fresh = await StartUpstreamAsync("new");
        await ApplyAsync(old.Backend());
        var held = Client.GetStringAsync(Url("/hold"));
        await old.HoldStarted.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, Proxy.InFlight(old.Backend()));

        await ApplyAsync(fresh.Backend());
        Assert.Equal("new", await Client.GetStringAsync(Url("/name")));
        Assert.False(await Proxy.DrainAsync(old.Backend(), TimeSpan.FromMilliseconds(100), CancellationToken.None));
        var drain = Proxy.DrainAsync(old.Backend(), TimeSpan.FromSeconds(10), CancellationToken.None);
        await Task.Delay(100);
        Assert.False(drain.IsCompleted);
        old.ReleaseHold.SetResult();

        Assert.True(await drain);
        Assert.Equal("held", await held.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, Proxy.InFlight(old.Backend()));
    }

    [Fact]
    public async Task Drain_UnknownBackend_IsDoneAtOnce()
    {
        Assert.True(await Proxy.DrainAsync(new Backend("9", "9-r", 1), TimeSpan.Zero, CancellationToken.None));
    }

    [Fact]
    public async Task Apply_NewPublicPort_MovesTheListener()
    {
        var upstream = await StartUpstreamAsync("a");
        await ApplyAsync(upstream.Backend());
        var otherPort = FreePort.Find();

        await ApplyAsync(upstream.Backend(), settings: new TrafficSettings(otherPort));

        Assert.Equal("a", await Client.GetStringAsync($"http://127.0.0.1:{otherPort}/name"));
        Assert.False(await Http.IsListeningAsync(PublicPort));
        Assert.Equal(otherPort, Proxy.RouteOf("web")!.Settings.PublicPort);
    }

    [Fact]
    public async Task Apply_SameRouteAgain_KeepsServing()
    {
        var upstream = await StartUpstreamAsync("a");
        var settings = new TrafficSettings(PublicPort, WarmUpPaths: ["/name"]);
        await ApplyAsync(upstream.Backend(), settings: settings);
        var first = Proxy.RouteOf("web");

        await ApplyAsync(upstream.Backend(), settings: settings with { WarmUpPaths = ["/name"] });

        Assert.Same(first, Proxy.RouteOf("web"));
        Assert.Equal("a", await Client.GetStringAsync(Url("/name")));
    }

    [Fact]
    public async Task Remove_StopsListening()
    {
        var upstream = await StartUpstreamAsync("a");
        await ApplyAsync(upstream.Backend());
        Assert.Equal("a", await Client.GetStringAsync(Url("/name")));

        await Proxy.RemoveAsync("web", CancellationToken.None);

        Assert.False(await Http.IsListeningAsync(PublicPort));
        Assert.Null(Proxy.RouteOf("web"));
    }

    [Fact]
    public async Task Apply_PortTaken_FailsNamingPortAndService()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, PublicPort);
        squatter.Start();

        var error = await Assert.ThrowsAsync<AgentException>(() => ApplyAsync(new Backend("1", "1-r", 1)));

        Assert.Contains($"127.0.0.1:{PublicPort}", error.Message, StringComparison.Ordinal);
        Assert.Contains("web", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Null(Proxy.RouteOf("web"));
    }

    [Theory]
    [InlineData(-1, 8080)]
    [InlineData(101, 8080)]
    [InlineData(10, 0)]
    public async Task Apply_InvalidRoute_Throws(int weight, int port)
    {
        await Assert.ThrowsAsync<ArgumentException>(() =>
            Proxy.ApplyAsync(new ServiceRoute("web", null, null, weight, new TrafficSettings(port)), CancellationToken.None));
    }
}
