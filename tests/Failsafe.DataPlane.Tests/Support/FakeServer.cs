using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Failsafe.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Failsafe.DataPlane.Tests;

/// <summary>
/// Just enough of the Failsafe server's agent protocol over real TLS on 127.0.0.1: enrollment
/// signs the agent's CSR with a test CA, polls hand out queued tasks, steps and results are recorded.
/// </summary>
internal sealed class FakeServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TestCertificates _ca;
    private readonly ECDsa _serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <param name="ca">The CA that signs enrolled agents' certificates.</param>
    /// <param name="presentedBy">The CA of the TLS server certificate: by default <paramref name="ca"/>; another plays an impostor.</param>
    /// <param name="servesCaOf">The CA handed out at <see cref="AgentRoutes.CaCertificate"/>: by default the one of the TLS certificate.</param>
    public FakeServer(TestCertificates ca, TestCertificates? presentedBy = null, TestCertificates? servesCaOf = null)
    {
        _ca = ca;
        using var issued = (presentedBy ?? ca).Issue(_serverKey, "failsafe-server", server: true, dnsName: "localhost");
        using var withKey = issued.CopyWithPrivateKey(_serverKey);
        var serverCertificate = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = serverCertificate,
            ClientCertificateMode = ClientCertificateMode.AllowCertificate,
            ClientCertificateValidation = (_, _, _) => true,
        })));
        _app = builder.Build();
        // As the real server: before enrollment the agent knows only the CA's fingerprint and fetches the CA here.
        var servedCaPem = (servesCaOf ?? presentedBy ?? ca).CaPem;
        _app.MapGet(AgentRoutes.CaCertificate, () => Results.Text(servedCaPem, "application/x-pem-file"));
        _app.MapPost(AgentRoutes.Enroll, (Delegate)EnrollAsync);
        _app.MapPost(AgentRoutes.Poll, (Delegate)PollAsync);
        _app.MapPost(AgentRoutes.TaskSteps, async (long id, HttpContext context) =>
        {
            Steps.Enqueue((id, (await context.Request.ReadFromJsonAsync<StepReport>(FailsafeJson.Options))!));
            return Results.Ok();
        });
        _app.MapPost(AgentRoutes.TaskComplete, async (long id, HttpContext context) =>
        {
            Completions.Enqueue((id, (await context.Request.ReadFromJsonAsync<TaskResult>(FailsafeJson.Options))!));
            return Results.Ok();
        });
    }

    public string EnrollSecret { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    public ConcurrentQueue<AgentTask> Tasks { get; } = new();

    public ConcurrentQueue<string> PollClientSubjects { get; } = new();

    public ConcurrentQueue<(long Id, StepReport Step)> Steps { get; } = new();

    public ConcurrentQueue<(long Id, TaskResult Result)> Completions { get; } = new();

    public string Url { get; private set; } = "";

    public string Token(string caFingerprint) => $"fse1.{EnrollSecret}.{caFingerprint}";

    public async Task StartAsync()
    {
        await _app.StartAsync();
        Url = _app.Urls.Single().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _serverKey.Dispose();
    }

    private async Task<IResult> EnrollAsync(HttpContext context)
    {
        var request = (await context.Request.ReadFromJsonAsync<EnrollRequest>(FailsafeJson.Options))!;
        if (request.EnrollToken.Split('.')[1] != EnrollSecret)
        {
            return Results.Json(new ApiError("The enrollment token is unknown or used."), FailsafeJson.Options, statusCode: 401);
        }

        var csr = CertificateRequest.LoadSigningRequestPem(request.CsrPem, HashAlgorithmName.SHA256);
        csr.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], true));
        var now = TimeProvider.System.GetUtcNow();
        using var certificate = csr.Create(_ca.Ca, now.AddMinutes(-5), now.AddDays(30), RandomNumberGenerator.GetBytes(16));
        return Results.Json(new EnrollResponse("agt_" + request.Name, certificate.ExportCertificatePem(), _ca.CaPem), FailsafeJson.Options);
    }

    private async Task<IResult> PollAsync(HttpContext context)
    {
        var client = await context.Connection.GetClientCertificateAsync();
        if (client is null || client.Issuer != _ca.Ca.Subject)
        {
            return Results.Json(new ApiError("A client certificate from the Failsafe CA is required."), FailsafeJson.Options, statusCode: 401);
        }

        PollClientSubjects.Enqueue(client.Subject);
        _ = await context.Request.ReadFromJsonAsync<PollRequest>(FailsafeJson.Options);
        var tasks = new List<AgentTask>();
        while (Tasks.TryDequeue(out var task))
        {
            tasks.Add(task);
        }

        if (tasks.Count == 0)
        {
            await Task.Delay(200, context.RequestAborted);
        }

        return Results.Json(new PollResponse(tasks), FailsafeJson.Options);
    }
}
