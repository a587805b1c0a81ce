using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using System.Net;
using System.Net.Security;
using System.Reflection;
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

    public FakeServer(TestCertificates ca, TestCertificates? presentedBy = null)
    {
        _ca = ca;
        // The server certificate normally comes from the same CA; a different one plays an impostor.
        using var issued = (presentedBy ?? ca).Issue(_serverKey, "failsafe-server", server: true, dnsName: "localhost");
        using var withKey = issued.CopyWithPrivateKey(_serverKey);
        var serverCertificate = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = serverCertificate,
            // The CA travels in the handshake (as the real server sends it): before enrollment the agent knows only its fingerprint.
            OnAuthenticate = (_, ssl) => ssl.ServerCertificateContext = HandshakeWithCa(serverCertificate, (presentedBy ?? ca).Ca),
            ClientCertificateMode = ClientCertificateMode.AllowCertificate,
            ClientCertificateValidation = (_, _, _) => true,
        })));
        _app = builder.Build();
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

    // .NET leaves a self-signed root out of the handshake; like the server's HandshakeChain, put it back.
    private static SslStreamCertificateContext HandshakeWithCa(X509Certificate2 server, X509Certificate2 caCertificate)
    {
        var ca = X509CertificateLoader.LoadCertificate(caCertificate.RawData);
        var context = SslStreamCertificateContext.Create(server, [ca], offline: true);
        var field = typeof(SslStreamCertificateContext).GetField("<IntermediateCertificates>k__BackingField", BindingFlags.Instance | BindingFlags.NonPublic)!;
        field.SetValue(context, new ReadOnlyCollection<X509Certificate2>([.. context.IntermediateCertificates.Where(c => c.Thumbprint != ca.Thumbprint), ca]));
        return context;
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
