using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Xunit.Abstractions;

namespace Failsafe.DataPlane.Tests.Traffic;

public sealed class ForwardingTests(ITestOutputHelper output) : ProxyTest(output)
{
    private const long FiftyMiB = 50L * 1024 * 1024;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Request_LargeBody_StreamsToInstanceBeforeClientFinishes(bool chunked)
    {
        var upstream = await StartUpstreamAsync("a");
        await ApplyAsync(upstream.Backend());

        // The client stops at 25 MiB until the instance has read 20 MiB: a proxy that buffered the
        // request would wait for the rest and the condition would never hold.
        var content = new PatternContent(FiftyMiB, chunked, atHalf: async () =>
            Assert.True(await Eventually.TrueAsync(() => upstream.BodyBytes >= 20L * 1024 * 1024, TimeSpan.FromSeconds(10)), "the instance got no bytes before the client finished"));
        using var response = await Client.PostAsync(Url("/count"), content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"{FiftyMiB} ok", await response.Content.ReadAsStringAsync());
        Assert.Equal(chunked ? "chunked" : null, upstream.LastHeaders!["Transfer-Encoding"].ToString() is { Length: > 0 } te ? te : null);
        Assert.Equal(chunked ? null : FiftyMiB.ToString(CultureInfo.InvariantCulture), upstream.LastHeaders["Content-Length"].ToString() is { Length: > 0 } cl ? cl : null);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Response_LargeBody_StreamsToClientBeforeInstanceFinishes(bool chunked)
    {
        var upstream = await StartUpstreamAsync("a");
        await ApplyAsync(upstream.Backend());

        // The instance stops after 1 MiB until the client has read half of it.
        using var response = await Client.GetAsync(Url($"/big?mb=50&pause=1&chunked={(chunked ? 1 : 0)}"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(chunked ? null : FiftyMiB, response.Content.Headers.ContentLength);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        long total = 0;
        var intact = true;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                intact &= buffer[i] == TestUpstream.Pattern(total + i);
            }

            total += read;
            if (total >= 512 * 1024)
            {
                upstream.ResumeDownload.TrySetResult();
            }
        }

        Assert.Equal(FiftyMiB, total);
        Assert.True(intact, "the body arrived altered");
    }

    [Fact]
    public async Task Request_ExpectContinue_BodyArrives()
    {
        var upstream = await StartUpstreamAsync("a");
        await ApplyAsync(upstream.Backend());

        using var request = new HttpRequestMessage(HttpMethod.Post, Url("/count")) { Content = new PatternContent(1024 * 1024, chunked: false) };
        request.Headers.ExpectContinue = true;
        using var response = await Client.SendAsync(request);

        Assert.Equal($"{1024 * 1024} ok", await response.Content.ReadAsStringAsync());
        Assert.Equal("100-continue", upstream.LastHeaders!["Expect"].ToString());
    }

    [Fact]
    public async Task Head_KeepsContentLengthWithoutBody()
    {
        var upstream = await StartUpstreamAsync("a");
        await ApplyAsync(upstream.Backend());

        using var response = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, Url("/big?mb=1")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1024 * 1024, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal((200, false), (Observer.Requests[0].StatusCode, Observer.Requests[0].Failed));
    }

    [Fact]
    public async Task Echo_ChunkedBothWays_ArrivesIntact()
    {
        var upstream = await StartUpstreamAsync("a");
        await ApplyAsync(upstream.Backend());

        using var response = await Client.PostAsync(Url("/echo"), new PatternContent(3 * 1024 * 1024 + 7, chunked: true, pieceSize: 10_000));

        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(3 * 1024 * 1024 + 7, body.Length);
        Assert.True(body.Select((b, i) => b == TestUpstream.Pattern(i)).All(ok => ok));
        Assert.True(response.Headers.TransferEncodingChunked);
    }

    [Fact]
    public async Task Request_SlowClientBothWays_IsServedCompletely()
    {
        var upstream = await StartUpstreamAsync("a");
        await ApplyAsync(upstream.Backend());

        // 20 pieces of 1 KiB, 50 ms apart, then the echo read back in small slow reads.
        using var response = await Client.PostAsync(
            Url("/echo"), new PatternContent(20 * 1024, chunked: true, pieceSize: 1024, pause: TimeSpan.FromMilliseconds(50)), CancellationToken.None);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[2048];
        var total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            total += read;
            await Task.Delay(10);
        }

        Assert.Equal(20 * 1024, total);
    }

    [Fact]
    public async Task Headers_HopByHopDroppedAndForwardedAdded()
    {
        var upstream = await StartUpstreamAsync("a");
        await ApplyAsync(upstream.Backend("1.0.0"));

        // Raw bytes: Kestrel reduces "Connection: keep-alive, X-Hop" to "keep-alive" for the application,
        // and no client library sends exactly this.
        var response = await RawAsync(
            "GET /headers HTTP/1.1\r\nHost: shop.example:8443\r\nConnection: keep-alive, X-Hop\r\nX-Hop: secret\r\n" +
            "Keep-Alive: timeout=5\r\nTE: trailers\r\nTrailer: X-T\r\nProxy-Authorization: Basic eA==\r\nUpgrade: h2c\r\n" +
            "X-Forwarded-For: 203.0.113.9\r\nX-Custom: kept\r\nCookie: a=1\r\n\r\n");

        var (head, body) = Split(response);
        var seen = body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(": ", 2)).ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        foreach (var dropped in new[] { "Connection", "X-Hop", "Keep-Alive", "TE", "Trailer", "Proxy-Authorization", "Upgrade" })
        {
            Assert.False(seen.ContainsKey(dropped), $"{dropped} reached the instance");
        }

        Assert.Equal("kept", seen["X-Custom"]);
        Assert.Equal("a=1", seen["Cookie"]);
        Assert.Equal("shop.example:8443", seen["Host"]);
        Assert.Equal("203.0.113.9, 127.0.0.1", seen["X-Forwarded-For"]);
        Assert.Equal("http", seen["X-Forwarded-Proto"]);
        Assert.Equal("shop.example:8443", seen["X-Forwarded-Host"]);

        // And on the way back: the instance's own hop-by-hop headers stay behind, the rest pass.
        Assert.DoesNotContain("X-Hop:", head, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Keep-Alive:", head, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Proxy-Agent:", head, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("X-Kept: yes", head, StringComparison.Ordinal);
        Assert.Contains("Set-Cookie: a=1", head, StringComparison.Ordinal);
        Assert.Contains("Set-Cookie: b=2", head, StringComparison.Ordinal);
        Assert.Contains("X-Failsafe-Version: 1.0.0", head, StringComparison.Ordinal);
        Assert.Single(head.Split("\r\n"), line => line.StartsWith("Server:", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Headers_ConnectionListingOnlyCustomTokens_DropsThem()
    {
        var upstream = await StartUpstreamAsync("a");
        await ApplyAsync(upstream.Backend());

        var (_, body) = Split(await RawAsync("GET /headers HTTP/1.1\r\nHost: x\r\nConnection: X-Hop\r\nX-Hop: secret\r\nX-Other: kept\r\n\r\n"));

        Assert.DoesNotContain("X-Hop", body, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("X-Other: kept", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebSocket_ThroughProxy_Echoes()
    {
        var upstream = await StartUpstreamAsync("a");
        await ApplyAsync(upstream.Backend());

        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{PublicPort}/ws"), CancellationToken.None);
        var buffer = new byte[1024];
        for (var i = 0; i < 3; i++)
        {
            var text = $"hello {i}";
            await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            Assert.Equal(text, Encoding.UTF8.GetString(buffer, 0, received.Count));
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        Assert.Equal(WebSocketState.Closed, socket.State);
        Assert.True(await Eventually.TrueAsync(() => Observer.Requests.Any(r => r.StatusCode == 101), TimeSpan.FromSeconds(5)));
        Assert.True(await Eventually.TrueAsync(() => Proxy.InFlight(upstream.Backend()) == 0, TimeSpan.FromSeconds(5)));
    }

    private async Task<string> RawAsync(string request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, PublicPort);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var received = new MemoryStream();
        var buffer = new byte[8192];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!Complete(received.ToArray()))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                break;
            }

            received.Write(buffer, 0, read);
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }

    // Complete when the head is in and the body's Content-Length bytes (or the final chunk) followed.
    private static bool Complete(byte[] bytes)
    {
        var text = Encoding.ASCII.GetString(bytes);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            return false;
        }

        var head = text[..end];
        var length = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        return length is not null
            ? bytes.Length - end - 4 >= int.Parse(length.Split(':')[1].Trim(), CultureInfo.InvariantCulture)
            : text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal);
    }

    private static (string Head, string Body) Split(string response)
    {
        var end = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = response[..end];
        var body = response[(end + 4)..];
        if (head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            var decoded = new StringBuilder();
            while (true)
            {
                var sizeEnd = body.IndexOf("\r\n", StringComparison.Ordinal);
                var size = int.Parse(body[..sizeEnd], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0)
                {
                    break;
                }

                decoded.Append(body, sizeEnd + 2, size);
                body = body[(sizeEnd + 2 + size + 2)..];
            }

            body = decoded.ToString();
        }

        return (head, body);
    }
}
