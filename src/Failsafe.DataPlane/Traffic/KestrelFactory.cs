using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Failsafe.DataPlane.Traffic;

/// <summary>A bare Kestrel server (no hosting layer, no middleware) listening with HTTP/1.1 on one endpoint.</summary>
internal static class KestrelFactory
{
    private static readonly IServiceProvider NoServices = new ServiceCollection().BuildServiceProvider();

    public static KestrelServer Create(IPEndPoint endpoint, ILoggerFactory loggers)
    {
        var options = new KestrelServerOptions
        {
            // The instance's own Server header is forwarded; Kestrel must not add a second one.
            AddServerHeader = false,
            ApplicationServices = NoServices,
            RequestHeaderEncodingSelector = ConnectionHeaderCapture.Select,
        };

        // Bodies are streamed, never held: the instance behind enforces its own size limit.
        options.Limits.MaxRequestBodySize = null;
        options.Listen(endpoint, listen => listen.Protocols = HttpProtocols.Http1);
        // UnsafePreferInlineScheduling was measured: no clear gain in CPU per request, a worse p99.
        var transport = new SocketTransportFactory(Options.Create(new SocketTransportOptions()), loggers);
        return new KestrelServer(Options.Create(options), transport, loggers);
    }
}
