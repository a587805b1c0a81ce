using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Abstractions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Failsafe.DataPlane.Traffic;

/// <summary>A service's public port: a Kestrel server whose every request goes through the forwarder.</summary>
internal sealed class ServiceListener : IHttpApplication<HttpContext>
{
    private readonly Forwarder _forwarder;
    private readonly KestrelServer _server;
    private RouteTable _table;

    private ServiceListener(Forwarder forwarder, KestrelServer server, RouteTable table, int port)
    {
        _forwarder = forwarder;
        _server = server;
        _table = table;
        Port = port;
    }

    public int Port { get; }

    public RouteTable Table => Volatile.Read(ref _table);

    /// <exception cref="AgentException">The port cannot be bound; the message names it and the service.</exception>
    public static async Task<ServiceListener> StartAsync(IPAddress address, RouteTable table, Forwarder forwarder, ILoggerFactory loggers, CancellationToken ct)
    {
        var port = table.Route.Settings.PublicPort;
        var endpoint = new IPEndPoint(address, port);
        var server = KestrelFactory.Create(endpoint, loggers);
        var listener = new ServiceListener(forwarder, server, table, port);
        try
        {
            await server.StartAsync(listener, ct);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
        {
            server.Dispose();
            var reason = e.InnerException?.Message ?? e.Message;
            throw new AgentException($"Cannot listen on {endpoint} for service {table.Service}: {reason}", e);
        }

        return listener;
    }

    /// <summary>
    /// Swaps in a new route. Interlocked (a full fence): a drain that reads in-flight counts after this
    /// returns cannot miss a request that is still about to pick from the old route.
    /// </summary>
    public void Swap(RouteTable table) => Interlocked.Exchange(ref _table, table);

    /// <summary>Stops accepting, lets requests in flight finish until <paramref name="ct"/> fires, then aborts them.</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        try
        {
            await _server.StopAsync(ct);
        }
        finally
        {
            _server.Dispose();
        }
    }

    // Kestrel keeps one HttpContext per connection for us to reuse, as ASP.NET Core's hosting layer does.
    public HttpContext CreateContext(IFeatureCollection contextFeatures)
    {
        if (contextFeatures is IHostContextContainer<HttpContext> container)
        {
            if (container.HostContext is DefaultHttpContext reused)
            {
                reused.Initialize(contextFeatures);
                return reused;
            }

            var created = new DefaultHttpContext(contextFeatures);
            container.HostContext = created;
            return created;
        }

        return new DefaultHttpContext(contextFeatures);
    }

    public Task ProcessRequestAsync(HttpContext context) => _forwarder.ProcessAsync(context, this);

    public void DisposeContext(HttpContext context, Exception? exception) => ((DefaultHttpContext)context).Uninitialize();
}
