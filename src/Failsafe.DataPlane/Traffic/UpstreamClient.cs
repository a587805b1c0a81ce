using System.Net;

namespace Failsafe.DataPlane.Traffic;

/// <summary>The one connection pool to every instance on this host (loopback, HTTP/1.1, nothing in between).</summary>
internal static class UpstreamClient
{
    public static HttpMessageInvoker Create() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,

        // The proxy is not a hop in anyone's trace: it passes traceparent on untouched.
        ActivityHeadersPropagator = null,

        // Shorter than common server keep-alive timeouts (Node 5 s is the exception; SocketsHttpHandler
        // notices a closed idle connection and retries on a fresh one), so instances rarely close first.
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(15),
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        EnableMultipleHttp2Connections = false,
    }, disposeHandler: true);
}
