using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Failsafe.Bench.Proxy;

/// <summary>The instance behind every proxy: a minimal Kestrel app answering 100 bytes.</summary>
internal static class UpstreamServer
{
    private static readonly byte[] Body = "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456\r\n"u8.ToArray();

    public static async Task<int> RunAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        await using var app = builder.Build();
        app.Run(context =>
        {
            context.Response.ContentLength = Body.Length;
            context.Response.ContentType = "text/plain";
            return context.Response.Body.WriteAsync(Body).AsTask();
        });
        await app.RunAsync();
        return 0;
    }
}
