using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Failsafe.ControlPlane.Tests.Prometheus;

/// <summary>
/// Answers GET {prefix}/api/v1/query the way a server in front of Prometheus might, for what a real one
/// will not do on demand: ask for a password, stall, break off, or answer with a web page.
/// </summary>
internal sealed class FakePrometheusApi : IAsyncDisposable
{
    public const string User = "ad@min";
    public const string Password = "p:ss/w0rd";

    private readonly WebApplication _app;

    private FakePrometheusApi(WebApplication app)
    {
        _app = app;
        _app.MapGet("/guarded/api/v1/query", (HttpContext context) =>
        {
            Received.Enqueue((context.Request.Headers.Authorization.ToString(), context.Request.Query["query"].ToString(), context.Request.Query["time"].ToString()));
            var expected = "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{User}:{Password}"));
            return context.Request.Headers.Authorization == expected
                ? Results.Text("""{"status":"success","data":{"resultType":"scalar","result":[1700000000.25,"42"]}}""", "application/json")
                : Results.Text("Unauthorized", "text/plain", statusCode: StatusCodes.Status401Unauthorized);
        });
        _app.MapGet("/slow/api/v1/query", async (CancellationToken aborted) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), aborted);
            return Results.Ok();
        });
        _app.MapGet("/cut/api/v1/query", async (HttpContext context) =>
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = 1000;
            await context.Response.WriteAsync("""{"status":"success","data":{""");
            await context.Response.Body.FlushAsync();
            context.Abort();
        });
        _app.MapGet("/page/api/v1/query", () => Results.Text("<html><body>Grafana</body></html>", "text/html"));
    }

    public string Url { get; private set; } = "";

    public ConcurrentQueue<(string Authorization, string Query, string Time)> Received { get; } = new();

    public static async Task<FakePrometheusApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var api = new FakePrometheusApi(builder.Build());
        await api._app.StartAsync();
        api.Url = api._app.Urls.Single();
        return api;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
