using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Failsafe.DataPlane.Traffic;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Failsafe.DataPlane.Tests.Traffic;

/// <summary>
/// An instance for the proxy to forward to: a real Kestrel app on 127.0.0.1 (port 0) whose paths each
/// behave in one way a test needs, and which tells the test what it saw.
/// </summary>
internal sealed class TestUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestUpstream(string name, WebApplication app)
    {
        Name = name;
        _app = app;
    }

    public string Name { get; }

    public int Port { get; private set; }

    public Backend Backend(string? version = null) => new(version ?? Name, $"{version ?? Name}-r", Port);

    /// <summary>Request body bytes read so far by /count.</summary>
    public long BodyBytes => Interlocked.Read(ref _bodyBytes);

    private long _bodyBytes;
    private int _disposed;

    /// <summary>The headers of the last request, as the instance received them.</summary>
    public IHeaderDictionary? LastHeaders { get; private set; }

    /// <summary>Set when a /wait request starts, and when its RequestAborted fires.</summary>
    public TaskCompletionSource WaitStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource WaitAborted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A /hold request answers only once the test sets <see cref="ReleaseHold"/>.</summary>
    public TaskCompletionSource HoldStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource ReleaseHold { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>/big pauses after its first MiB until this is set (when asked to with ?pause=1).</summary>
    public TaskCompletionSource ResumeDownload { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<TestUpstream> StartAsync(string name)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(IPAddress.Loopback, 0);
        });
        var app = builder.Build();
        var upstream = new TestUpstream(name, app);
        app.UseWebSockets();
        app.Run(upstream.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        upstream.Port = new Uri(address).Port;
        return upstream;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(grace.Token);
        await _app.DisposeAsync();
    }

    /// <summary>The byte at offset <paramref name="i"/> of every body the tests send or ask for.</summary>
    public static byte Pattern(long i) => (byte)((i * 31) % 251);

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        LastHeaders = new HeaderDictionary(request.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase));
        var query = request.Query;
        switch (request.Path.Value)
        {
            case "/":
            case "/name":
                await response.WriteAsync(Name);
                break;

            case "/headers":
                response.Headers["Connection"] = "X-Hop";
                response.Headers["X-Hop"] = "must not pass";
                response.Headers["Keep-Alive"] = "timeout=5";
                response.Headers["Proxy-Agent"] = "must not pass";
                response.Headers["X-Kept"] = "yes";
                response.Headers["Set-Cookie"] = new[] { "a=1", "b=2" };
                var text = new StringBuilder();
                foreach (var header in request.Headers)
                {
                    text.Append(header.Key).Append(": ").Append(header.Value.ToString()).Append('\n');
                }

                await response.WriteAsync(text.ToString());
                break;

            case "/echo":
                // Streams the body back as it arrives: no Content-Length, so the response is chunked.
                await request.Body.CopyToAsync(response.Body, context.RequestAborted);
                break;

            case "/count":
                await CountAsync(context);
                break;

            case "/big":
                await BigAsync(context);
                break;

            case "/slow":
                await Task.Delay(int.Parse(query["ms"]!, CultureInfo.InvariantCulture), context.RequestAborted);
                await response.WriteAsync("slow");
                break;

            case "/wait":
                WaitStarted.TrySetResult();
                context.RequestAborted.Register(() => WaitAborted.TrySetResult());
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                break;

            case "/hold":
                HoldStarted.TrySetResult();
                await ReleaseHold.Task.WaitAsync(context.RequestAborted);
                await response.WriteAsync("held");
                break;

            case "/reset-before":
                context.Abort();
                break;

            case "/reset-mid":
                if (query["chunked"] != "1")
                {
                    response.ContentLength = 1024 * 1024;
                }

                await response.Body.WriteAsync(new byte[64 * 1024]);
                await response.Body.FlushAsync();
                await Task.Delay(50);
                context.Abort();
                break;

            case "/status":
                response.StatusCode = int.Parse(query["code"]!, CultureInfo.InvariantCulture);
                await response.WriteAsync($"status {response.StatusCode}");
                break;

            case "/ws":
                await EchoWebSocketAsync(context);
                break;

            default:
                response.StatusCode = 404;
                break;
        }
    }

    // Reads the body, checks every byte against the pattern and answers "bytes ok|bad".
    private async Task CountAsync(HttpContext context)
    {
        var buffer = new byte[64 * 1024];
        long total = 0;
        var intact = true;
        int read;
        while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                intact &= buffer[i] == Pattern(total + i);
            }

            total += read;
            Interlocked.Exchange(ref _bodyBytes, total);
        }

        await context.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"{total} {(intact ? "ok" : "bad")}"));
    }

    private async Task BigAsync(HttpContext context)
    {
        var query = context.Request.Query;
        long size = long.Parse(query["mb"]!, CultureInfo.InvariantCulture) * 1024 * 1024;
        if (query["chunked"] != "1")
        {
            context.Response.ContentLength = size;
        }

        var buffer = new byte[64 * 1024];
        for (long sent = 0; sent < size;)
        {
            if (query["pause"] == "1" && sent == 1024 * 1024)
            {
                await ResumeDownload.Task.WaitAsync(context.RequestAborted);
            }

            var count = (int)Math.Min(buffer.Length, size - sent);
            for (var i = 0; i < count; i++)
            {
                buffer[i] = Pattern(sent + i);
            }

            await context.Response.Body.WriteAsync(buffer.AsMemory(0, count), context.RequestAborted);
            sent += count;
        }
    }

    private static async Task EchoWebSocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[4096];
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                return;
            }

            await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, context.RequestAborted);
        }
    }
}
