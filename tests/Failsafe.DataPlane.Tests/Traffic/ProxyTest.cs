using System.Net;
using Failsafe.Contracts;
using Failsafe.DataPlane.Traffic;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Failsafe.DataPlane.Tests.Traffic;

/// <summary>A proxy on 127.0.0.1 with a free public port, instances started on demand, all torn down after the test.</summary>
public abstract class ProxyTest(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly List<TestUpstream> _upstreams = [];
    private ILoggerFactory _loggers = null!;

    private protected TrafficProxy Proxy { get; private set; } = null!;

    private protected RecordingObserver Observer { get; } = new();

    private protected int PublicPort { get; } = FreePort.Find();

    private protected HttpClient Client { get; } = new(new SocketsHttpHandler { UseProxy = false, UseCookies = false, AllowAutoRedirect = false })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    private protected string Url(string path) => $"http://127.0.0.1:{PublicPort}{path}";

    public Task InitializeAsync()
    {
        _loggers = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(LogLevel.Debug)
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddProvider(new TestOutputLoggerProvider(output)));
        Proxy = new TrafficProxy(IPAddress.Loopback, Observer, TimeProvider.System, _loggers);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Proxy.DisposeAsync();
        foreach (var upstream in _upstreams)
        {
            await upstream.DisposeAsync();
        }

        _loggers.Dispose();
    }

    private protected async Task<TestUpstream> StartUpstreamAsync(string name)
    {
        var upstream = await TestUpstream.StartAsync(name);
        lock (_upstreams)
        {
            _upstreams.Add(upstream);
        }

        return upstream;
    }

    private protected Task ApplyAsync(Backend? stable, Backend? canary = null, int weight = 0, TrafficSettings? settings = null) =>
        Proxy.ApplyAsync(new ServiceRoute("web", stable, canary, weight, settings ?? new TrafficSettings(PublicPort)), CancellationToken.None);
}
