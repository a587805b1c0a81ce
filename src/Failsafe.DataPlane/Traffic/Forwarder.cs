using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Failsafe.DataPlane.Traffic;

/// <summary>
/// Forwards a request to the instance its route picks, streaming the bodies both ways, and tells the
/// observer how it ended. Shared by every service's listener; holds no per-request state.
/// </summary>
internal sealed class Forwarder(HttpMessageInvoker invoker, IRequestObserver observer, TimeProvider time, ILogger logger)
{
    private const int BufferSize = 64 * 1024;
    private const int DirectPiece = 4096;

    private static readonly Action<object?> CancelOnAbort = static state => ((CancellationTokenSource)state!).Cancel();

    private readonly CancellationPool _cancellations = new(time);

    public Task ProcessAsync(HttpContext context, ServiceListener listener)
    {
        var start = time.GetTimestamp();
        while (true)
        {
            var table = listener.Table;
            var target = RouteChooser.Choose(table, context.Request.Headers, out var cookie);
            if (target is null)
            {
                return ProxyResponses.NoInstanceAsync(context, table.Service);
            }

            // Counted before the route is read again: a drain that saw zero after a swap cannot miss this
            // request, because the request then sees the new route and chooses again.
            target.InFlight.Enter();
            if (ReferenceEquals(listener.Table, table))
            {
                return ForwardAsync(context, table, target, cookie, start);
            }

            target.InFlight.Exit();
        }
    }

    // One async method per request on the common path (each awaited async layer that completes
    // asynchronously allocates its own state machine); the helpers return ValueTask and allocate only
    // when they have to wait.
    private async Task ForwardAsync(HttpContext context, RouteTable table, BackendTarget target, string? cookie, long start)
    {
        var outcome = new Outcome(StatusCodes.Status500InternalServerError, Failed: true);
        CancellationTokenSource? cancellation = null;
        CancellationTokenRegistration registration = default;
        StreamingRequestContent? content = null;
        HttpRequestMessage? message = null;
        HttpResponseMessage? response = null;
        try
        {
            if (HttpMethods.IsConnect(context.Request.Method))
            {
                outcome = await RefuseAsync(context, StatusCodes.Status405MethodNotAllowed, "405 Method Not Allowed: CONNECT is not forwarded\n");
                return;
            }

            var upgrade = context.Features.Get<IHttpUpgradeFeature>();
            var upgrading = upgrade is { IsUpgradableRequest: true };
            cancellation = _cancellations.Rent();
            registration = context.RequestAborted.UnsafeRegister(CancelOnAbort, cancellation);
            if (!upgrading && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
            {
                content = new StreamingRequestContent(context.Request.BodyReader, cancellation, table.Timeout);
            }

            try
            {
                message = UpstreamRequest.Create(context, target, content, upgrading);
            }
            catch (UriFormatException)
            {
                outcome = await RefuseAsync(context, StatusCodes.Status400BadRequest, "400 Bad Request: the request target cannot be forwarded\n");
                return;
            }

            cancellation.CancelAfter(table.Timeout);
            try
            {
                response = await invoker.SendAsync(message, cancellation.Token);
            }
            catch (Exception e)
            {
                outcome = await FailedBeforeResponseAsync(context, table, target, content, cancellation, e);
                return;
            }

            // The timer stays armed: the body copy re-arms it for each wait on the instance and disarms it
            // only while the client is slow to take bytes (one timer operation less per request).
            content?.Answered();
            var status = (int)response.StatusCode;
            if (status == StatusCodes.Status101SwitchingProtocols && !upgrading)
            {
                outcome = await FailedBeforeResponseAsync(context, table, target, content, cancellation, new HttpRequestException("101 to a request that asked for no upgrade"));
                return;
            }

            var headers = context.Response.Headers;
            context.Response.StatusCode = status;
            if (response.ReasonPhrase is { } reason && reason != ReasonPhrases.GetReasonPhrase(status))
            {
                context.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = reason;
            }

            ResponseHeaders.Copy(response, headers);
            headers[HeaderRules.ServedBy] = target.Backend.Version;
            if (cookie is not null)
            {
                headers.Append(HeaderNames.SetCookie, cookie);
            }

            outcome = status == StatusCodes.Status101SwitchingProtocols
                ? await TunnelAsync(context, upgrade!, response, table, target, cancellation)
                : await CopyBodyAsync(context, response, table, target, cancellation);
        }
        finally
        {
            registration.Dispose();

            // The instance may answer before it read the whole request body; stop copying it before the
            // client's request (and its body reader) is released.
            if (content?.Copy is { IsCompleted: false } copy)
            {
                await cancellation!.CancelAsync();
                await copy.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            response?.Dispose();
            message?.Dispose();
            if (cancellation is not null)
            {
                _cancellations.Return(cancellation);
            }

            target.InFlight.Exit();
            Report(table.Service, target, outcome, start);
        }
    }

    private static async ValueTask<Outcome> RefuseAsync(HttpContext context, int status, string line)
    {
        await ProxyResponses.WriteAsync(context, status, line, servedBy: null);
        return new Outcome(status, Failed: false);
    }

    private async ValueTask<Outcome> FailedBeforeResponseAsync(
        HttpContext context, RouteTable table, BackendTarget target, StreamingRequestContent? content, CancellationTokenSource cancellation, Exception error)
    {
        if (context.RequestAborted.IsCancellationRequested)
        {
            return Outcome.ClientGone;
        }

        if (content is { ClientFailed: true })
        {
            // The client's body broke off or was malformed: not the instance's fault.
            return await RefuseAsync(context, StatusCodes.Status400BadRequest, "400 Bad Request: the request body could not be read\n");
        }

        var status = error is OperationCanceledException && cancellation.IsCancellationRequested
            ? StatusCodes.Status504GatewayTimeout
            : StatusCodes.Status502BadGateway;
        Log.UpstreamFailed(logger, table.Service, target.Backend.Release, target.Backend.Port, status, error.Message);
        await ProxyResponses.UpstreamFailedAsync(context, status, table, target);
        return new Outcome(status, Failed: true);
    }

    private async ValueTask<Outcome> CopyBodyAsync(HttpContext context, HttpResponseMessage response, RouteTable table, BackendTarget target, CancellationTokenSource cancellation)
    {
        var status = (int)response.StatusCode;
        var aborted = context.RequestAborted;
        var writer = context.Response.BodyWriter;

        // Completes at once with SocketsHttpHandler: the stream is already there.
        var upstream = response.Content.ReadAsStream(cancellation.Token);

        // Pieces go straight into Kestrel's output buffer: a small body needs no buffer of its own. Once
        // a piece fills that buffer the body is a large one, and 64 KiB pieces cost fewer system calls.
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                // Kestrel hands out less than a block for a hint of 0 before the response starts.
                var memory = buffer ?? writer.GetMemory(DirectPiece);
                var direct = buffer is null;
                int read;
                try
                {
                    read = await ReadAsync(upstream, memory, cancellation, table.Timeout);
                }
                catch (Exception e)
                {
                    return aborted.IsCancellationRequested ? Outcome.ClientGone : await BrokenResponseAsync(context, table, target, cancellation, e);
                }

                if (read == 0)
                {
                    return new Outcome(status, Failed: false);
                }

                bool delivered;
                if (direct)
                {
                    writer.Advance(read);
                    delivered = await FlushAsync(writer, aborted, cancellation);
                    if (read == memory.Length)
                    {
                        buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                    }
                }
                else
                {
                    delivered = await WriteAsync(writer, buffer.AsMemory(0, read), aborted, cancellation);
                }

                if (!delivered)
                {
                    return Outcome.ClientGone;
                }
            }
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    // The timeout guards each wait for the instance, not the client reading slowly: a read that has to
    // wait gets the whole timeout; bytes already there cost no timer operation.
    private static async ValueTask<int> ReadAsync(Stream upstream, Memory<byte> memory, CancellationTokenSource cancellation, TimeSpan timeout)
    {
        var pending = upstream.ReadAsync(memory, cancellation.Token);
        if (pending.IsCompletedSuccessfully)
        {
            return pending.Result;
        }

        cancellation.CancelAfter(timeout);
        return await pending;
    }

    private static ValueTask<bool> FlushAsync(PipeWriter writer, CancellationToken aborted, CancellationTokenSource cancellation) =>
        DeliveredAsync(writer.FlushAsync(aborted), cancellation);

    private static ValueTask<bool> WriteAsync(PipeWriter writer, ReadOnlyMemory<byte> bytes, CancellationToken aborted, CancellationTokenSource cancellation) =>
        DeliveredAsync(writer.WriteAsync(bytes, aborted), cancellation);

    /// <returns>False when the client is gone.</returns>
    private static async ValueTask<bool> DeliveredAsync(ValueTask<FlushResult> pending, CancellationTokenSource cancellation)
    {
        try
        {
            if (!pending.IsCompleted)
            {
                // A slow client is not the instance's delay: no upstream timeout while it catches up.
                cancellation.CancelAfter(Timeout.InfiniteTimeSpan);
            }

            var flushed = await pending;
            return !flushed.IsCanceled && !flushed.IsCompleted;
        }
        catch (Exception)
        {
            return false;
        }
    }

    private async ValueTask<Outcome> BrokenResponseAsync(HttpContext context, RouteTable table, BackendTarget target, CancellationTokenSource cancellation, Exception error)
    {
        if (!context.Response.HasStarted)
        {
            // Nothing reached the client yet: it can still get a clean error instead of a broken response.
            var status = error is OperationCanceledException && cancellation.IsCancellationRequested
                ? StatusCodes.Status504GatewayTimeout
                : StatusCodes.Status502BadGateway;
            Log.UpstreamFailed(logger, table.Service, target.Backend.Release, target.Backend.Port, status, error.Message);
            await ProxyResponses.UpstreamFailedAsync(context, status, table, target);
            return new Outcome(status, Failed: true);
        }

        // Ending the response normally would hand the client a truncated body as if it were complete.
        Log.ResponseBroken(logger, table.Service, target.Backend.Release, target.Backend.Port, error.Message);
        context.Abort();
        return new Outcome(context.Response.StatusCode, Failed: true);
    }

    private async ValueTask<Outcome> TunnelAsync(
        HttpContext context, IHttpUpgradeFeature upgrade, HttpResponseMessage response, RouteTable table, BackendTarget target, CancellationTokenSource cancellation)
    {
        if (response.Headers.NonValidated.TryGetValues(HeaderNames.Upgrade, out var protocols))
        {
            context.Response.Headers.Upgrade = protocols.ToString();
        }

        Stream client;
        try
        {
            client = await upgrade.UpgradeAsync();
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            return Outcome.ClientGone;
        }

        // A tunnel may idle for as long as its two ends like.
        cancellation.CancelAfter(Timeout.InfiniteTimeSpan);
        var handshake = time.GetTimestamp();
        await using (client)
        {
            var upstream = await response.Content.ReadAsStreamAsync(CancellationToken.None);
            await using (upstream)
            {
                var reason = await UpgradeTunnel.RunAsync(client, upstream, cancellation);
                Log.TunnelEnded(logger, table.Service, target.Backend.Release, reason);
            }
        }

        return new Outcome(StatusCodes.Status101SwitchingProtocols, Failed: false, handshake);
    }

    private void Report(string service, BackendTarget target, Outcome outcome, long start)
    {
        var end = outcome.At != 0 ? outcome.At : time.GetTimestamp();
        try
        {
            observer.OnCompleted(service, target.Backend, target.Canary, outcome.Status, outcome.Failed, time.GetElapsedTime(start, end));
        }
        catch (Exception e)
        {
            Log.ObserverFailed(logger, service, e.Message);
        }
    }
}
