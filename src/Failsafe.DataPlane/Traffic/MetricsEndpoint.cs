using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Abstractions;

namespace Failsafe.DataPlane.Traffic;

/// <summary>
/// Serves GET /metrics in the Prometheus text format (0.0.4) by calling a render callback; anything else is 404.
/// </summary>
internal sealed class MetricsEndpoint : IAsyncDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly KestrelServer _server;

    private MetricsEndpoint(KestrelServer server, int port)
    {
        _server = server;
        Port = port;
    }

    /// <summary>The port it listens on (the one bound when the endpoint asked for port 0).</summary>
    public int Port { get; }

    /// <exception cref="AgentException">The endpoint cannot be bound.</exception>
    public static async Task<MetricsEndpoint> StartAsync(IPEndPoint endpoint, Action<TextWriter> render, CancellationToken ct)
    {
        var server = KestrelFactory.Create(endpoint, NullLoggerFactory.Instance);
        try
        {
            await server.StartAsync(new Application(render), ct);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or UnauthorizedAccessException)
        {
            server.Dispose();
            throw new AgentException($"Cannot serve metrics on {endpoint}: {e.InnerException?.Message ?? e.Message}", e);
        }

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        var port = address is null ? endpoint.Port : new Uri(address).Port;
        return new MetricsEndpoint(server, port);
    }

    public async ValueTask DisposeAsync()
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _server.StopAsync(grace.Token);
        }
        finally
        {
            _server.Dispose();
        }
    }

    private sealed class Application(Action<TextWriter> render) : IHttpApplication<HttpContext>
    {
        public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

        public void DisposeContext(HttpContext context, Exception? exception)
        {
        }

        public async Task ProcessRequestAsync(HttpContext context)
        {
            var response = context.Response;
            if (!HttpMethods.IsGet(context.Request.Method) || context.Request.Path != "/metrics")
            {
                response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            // Rendered to memory first: Kestrel allows no synchronous writes, and a scrape is small.
            var text = new StringWriter(new StringBuilder(4096), CultureInfo.InvariantCulture) { NewLine = "\n" };
            render(text);
            var bytes = Encoding.UTF8.GetBytes(text.ToString());
            response.ContentType = ContentType;
            response.ContentLength = bytes.Length;
            await response.Body.WriteAsync(bytes, context.RequestAborted);
        }
    }
}
