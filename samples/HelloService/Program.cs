using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

// The sample service the demo deploys. One build serves every "version": what a release is
// (its version, whether it is healthy, how often it fails, how slow it is) comes from release.json
// in the working directory, the way real services read configuration shipped inside their release.
var settings = SampleSettings.Load(Path.Combine(Directory.GetCurrentDirectory(), "release.json"));
if (settings.CrashOnStart)
{
    Console.Error.WriteLine($"hello {settings.Version}: refusing to start (crashOnStart is set in release.json)");
    return 1;
}

var port = Environment.GetEnvironmentVariable("PORT") ?? "8080";
// Variables from failsafe.yaml arrive in the environment; API_KEY is a secret, so the service never shows it,
// only a digest anyone holding the value can check.
var greeting = Environment.GetEnvironmentVariable("GREETING") ?? "hello";
var apiKey = Environment.GetEnvironmentVariable("API_KEY");
var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
builder.Logging.ClearProviders();
var app = builder.Build();

app.MapGet("/", async () =>
{
    if (settings.DelayMilliseconds > 0)
    {
        // Jitter of ±20% around the release's delay, so two versions have overlapping, realistic latency distributions.
        await Task.Delay(TimeSpan.FromMilliseconds(settings.DelayMilliseconds * (0.8 + (0.4 * Random.Shared.NextDouble()))));
    }

    return Random.Shared.NextDouble() < settings.ErrorRate
        ? Results.Text($"{greeting} from {settings.Version}: failing on purpose\n", statusCode: 500)
        : Results.Text($"{greeting} from {settings.Version}\n");
});
app.MapGet("/healthz", () => settings.Healthy
    ? Results.Text("ok\n")
    : Results.Text($"unhealthy: {settings.Version} is broken on purpose\n", statusCode: 503));

app.MapGet("/api-key-sha256", () => apiKey is null
    ? Results.Text("no API_KEY\n", statusCode: 404)
    : Results.Text(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKey))) + "\n"));

Console.WriteLine($"hello {settings.Version} listening on 127.0.0.1:{port}");
app.Run();
return 0;

internal sealed record SampleSettings(string Version, bool Healthy, bool CrashOnStart, double ErrorRate, double DelayMilliseconds)
{
    public static SampleSettings Load(string path)
    {
        var fallback = new SampleSettings(Environment.GetEnvironmentVariable("FAILSAFE_VERSION") ?? "dev", true, false, 0, 0);
        if (!File.Exists(path))
        {
            return fallback;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        return new SampleSettings(
            root.TryGetProperty("version", out var v) ? v.GetString() ?? fallback.Version : fallback.Version,
            !root.TryGetProperty("healthy", out var h) || h.GetBoolean(),
            root.TryGetProperty("crashOnStart", out var c) && c.GetBoolean(),
            root.TryGetProperty("errorRate", out var e) ? e.GetDouble() : 0,
            root.TryGetProperty("delayMs", out var d) ? d.GetDouble() : 0);
    }
}
