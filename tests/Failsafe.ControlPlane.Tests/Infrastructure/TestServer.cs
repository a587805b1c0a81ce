using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Failsafe.ControlPlane.Hosting;
using Failsafe.ControlPlane.Storage;
using Failsafe.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Failsafe.ControlPlane.Tests.Infrastructure;

/// <summary>A real server (Kestrel, TLS, SQLite) on 127.0.0.1 and a free port, over a data folder the test owns.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly StringWriter _output;

    private TestServer(WebApplication app, ServerOptions options, StringWriter output, X509Certificate2 fetchedCa)
    {
        App = app;
        Options = options;
        _output = output;
        BaseAddress = new Uri(app.Urls.Single());
        AdminToken = File.ReadAllText(options.BootstrapTokenFile!).Trim();
        Authority = app.Services.GetRequiredService<CertificateAuthority>();
        CaFingerprint = app.Services.GetRequiredService<TrustAnchor>().Fingerprint;
        FetchedCa = fetchedCa;
    }

    public WebApplication App { get; }

    public ServerOptions Options { get; }

    public Uri BaseAddress { get; }

    public string AdminToken { get; }

    /// <summary>Our own CA: it signs agents' certificates (and, unless the options give one, the server's).</summary>
    public CertificateAuthority Authority { get; }

    /// <summary>What clients pin: <see cref="Authority"/>'s fingerprint, or that of the CA of the certificate the options give.</summary>
    public string CaFingerprint { get; }

    /// <summary>The pinned CA as a client gets it: fetched with <see cref="ServerCaBootstrap"/> knowing only the fingerprint.</summary>
    public X509Certificate2 FetchedCa { get; }

    public string Output => _output.ToString();

    public static ServerOptions DefaultOptions(string dataDirectory) => new()
    {
        DataDirectory = dataDirectory,
        Urls = "https://127.0.0.1:0",
        BootstrapTokenFile = Path.Join(dataDirectory, "admin.token"),
        OrchestratorInterval = TimeSpan.FromMilliseconds(50),
    };

    /// <param name="configure">Changes to the host before it is built (a logger that captures, say).</param>
    public static async Task<TestServer> StartAsync(
        string dataDirectory, Func<ServerOptions, ServerOptions>? tweak = null, Action<WebApplicationBuilder>? configure = null)
    {
        var output = new StringWriter();
        var options = DefaultOptions(dataDirectory) with { Output = TextWriter.Synchronized(output) };
        options = tweak?.Invoke(options) ?? options;
        var app = ServerHost.Build(options, configure);
        await app.StartAsync();
        try
        {
            var fingerprint = app.Services.GetRequiredService<TrustAnchor>().Fingerprint;
            var ca = await ServerCaBootstrap.FetchAsync(new Uri(app.Urls.Single()), fingerprint, CancellationToken.None);
            return new TestServer(app, options, output, ca);
        }
        catch
        {
            await app.StopAsync();
            await app.DisposeAsync();
            throw;
        }
    }

    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    public Task<T> ReadAsync<T>(Func<DbSession, Task<T>> work) => Service<IDatabase>().ReadAsync(work, CancellationToken.None);

    public HttpClient Admin() => Client(AdminToken);

    /// <summary>A client that trusts only this server (pinned CA, as fetched), optionally with a token and a client certificate.</summary>
    public HttpClient Client(string? token = null, X509Certificate2? clientCertificate = null)
    {
        var pin = new ServerCertificatePin(CaFingerprint, FetchedCa);
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = pin.Callback,
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
                LocalCertificateSelectionCallback = clientCertificate is null ? null : (_, _, _, _, _) => clientCertificate,
            },
        };
        var client = new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        FetchedCa.Dispose();
    }
}
