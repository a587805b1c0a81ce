using System.Buffers;
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

    private readonly CancellationPool _cancellations = new(time);

    public async Task ProcessAsync(HttpContext context, ServiceListener listener)
    {
        var start = time.GetTimestamp();
        RouteTable table;
        BackendTarget? target;
        string? cookie;
        while (true)
        {
            table = listener.Table;
            target = RouteChooser.Choose(table, context.Request.Headers, out cookie);
            if (target is null)
            {
                await ProxyResponses.NoInstanceAsync(context, table.Service);
                return;
            }

            // Counted before the route is read again: a drain that saw zero after a swap cannot miss this
            // request, because the request then sees the new route and chooses again.
            target.InFlight.Enter();
            if (ReferenceEquals(listener.Table, table))
            {
                break;
            }

            target.InFlight.Exit();
        }

        var outcome = new Outcome(StatusCodes.Status500InternalServerError, Failed: true);
        try
        {
            outcome = await ForwardAsync(context, table, target, cookie);
        }
        finally
        {
            target.InFlight.Exit();
            Report(table.Service, target, outcome, start);
        }
    }

    private async Task<Outcome> ForwardAsync(HttpContext context, RouteTable table, BackendTarget target, string? cookie)
    {
        if (HttpMethods.IsConnect(context.Request.Method))
        {
            await ProxyResponses.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "405 Method Not Allowed: CONNECT is not forwarded\n", servedBy: null);
            return new Outcome(StatusCodes.Status405MethodNotAllowed, Failed: false);
        }

        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        var upgrading = upgrade is { IsUpgradableRequest: true };
        var cancellation = _cancellations.Rent();
        var registration = context.RequestAborted.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), cancellation);
        var content = !upgrading && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true
            ? new StreamingRequestContent(context.Request.Body, cancellation, table.Timeout)
            : null;
        HttpRequestMessage? message = null;
        HttpResponseMessage? response = null;
        try
        {
            try
            {
                message = UpstreamRequest.Create(context, target, content, upgrading);
            }
            catch (UriFormatException)
            {
                await ProxyResponses.WriteAsync(context, StatusCodes.Status400BadRequest, "400 Bad Request: the request target cannot be forwarded\n", servedBy: null);
                return new Outcome(StatusCodes.Status400BadRequest, Failed: false);
            }

            cancellation.CancelAfter(table.Timeout);
            try
            {
                response = await invoker.SendAsync(message, cancellation.Token);
            }
            catch (Exception e)
            {
                return await FailedBeforeResponseAsync(context, table, target, content, cancellation, e);
            }

            content?.Answered();
            cancellation.CancelAfter(Timeout.InfiniteTimeSpan);
            var status = (int)response.StatusCode;
            if (status == StatusCodes.Status101SwitchingProtocols && !upgrading)
            {
                return await FailedBeforeResponseAsync(context, table, target, content, cancellation, new HttpRequestException("101 to a request that asked for no upgrade"));
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

            return status == StatusCodes.Status101SwitchingProtocols
                ? await TunnelAsync(context, upgrade!, response, table, target, cancellation)
                : await CopyBodyAsync(context, response, table, target, cancellation);
        }
        finally
        {
            registration.Dispose();

            // The instance may answer before it read the whole request body; stop copying it before the
            // client's request (and its body stream) is released.
            if (content?.Copy is { IsCompleted: false } copy)
            {
                await cancellation.CancelAsync();
                await copy.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }

            response?.Dispose();
            message?.Dispose();
            _cancellations.Return(cancellation);
        }
    }

    private async Task<Outcome> FailedBeforeResponseAsync(
        HttpContext context, RouteTable table, BackendTarget target, StreamingRequestContent? content, CancellationTokenSource cancellation, Exception error)
    {
        if (context.RequestAborted.IsCancellationRequested)
        {
            return Outcome.ClientGone;
        }

        if (content is { ClientFailed: true })
        {
            // The client's body broke off or was malformed: not the instance's fault.
            await ProxyResponses.WriteAsync(context, StatusCodes.Status400BadRequest, "400 Bad Request: the request body could not be read\n", servedBy: null);
            return new Outcome(StatusCodes.Status400BadRequest, Failed: false);
        }

        var status = error is OperationCanceledException && cancellation.IsCancellationRequested
            ? StatusCodes.Status504GatewayTimeout
            : StatusCodes.Status502BadGateway;
        Log.UpstreamFailed(logger, table.Service, target.Backend.Release, target.Backend.Port, status, error.Message);
        await ProxyResponses.UpstreamFailedAsync(context, status, table, target);
        return new Outcome(status, Failed: true);
    }

    private async Task<Outcome> CopyBodyAsync(HttpContext context, HttpResponseMessage response, RouteTable table, BackendTarget target, CancellationTokenSource cancellation)
    {
        var status = (int)response.StatusCode;
        var aborted = context.RequestAborted;
        var body = context.Response.Body;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var upstream = await response.Content.ReadAsStreamAsync(cancellation.Token);
            while (true)
            {
                int read;
                try
                {
                    // The timeout guards each wait for the instance, not the client reading slowly;
                    // the timer is armed only when the bytes are not already there.
                    var pending = upstream.ReadAsync(buffer, cancellation.Token);
                    if (pending.IsCompleted)
                    {
                        read = pending.Result;
                    }
                    else
                    {
                        cancellation.CancelAfter(table.Timeout);
                        read = await pending;
                        cancellation.CancelAfter(Timeout.InfiniteTimeSpan);
                    }
                }
                catch (Exception e)
                {
                    return aborted.IsCancellationRequested ? Outcome.ClientGone : await BrokenResponseAsync(context, table, target, cancellation, e);
                }

                if (read == 0)
                {
                    return new Outcome(status, Failed: false);
                }

                try
                {
                    await body.WriteAsync(buffer.AsMemory(0, read), aborted);
                }
                catch (Exception)
                {
                    return Outcome.ClientGone;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<Outcome> BrokenResponseAsync(HttpContext context, RouteTable table, BackendTarget target, CancellationTokenSource cancellation, Exception error)
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

    private async Task<Outcome> TunnelAsync(
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
