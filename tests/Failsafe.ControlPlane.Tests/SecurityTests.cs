using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Hosting;
using Failsafe.ControlPlane.Storage;
using Failsafe.ControlPlane.Tests.Infrastructure;
using Failsafe.Security;
using Failsafe.Tests.Common;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Failsafe.ControlPlane.Tests;

public sealed class SecurityTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new("fs-security");
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(_data.Path);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task EveryApiRoute_WithoutOrWithWrongToken_Is401AndSaysNothing()
    {
        var routes = Routes().Where(r => r.Path.StartsWith(ApiRoutes.Prefix, StringComparison.Ordinal)).ToList();
        Assert.True(routes.Count >= 10, $"only {routes.Count} API routes found");
        using var anonymous = _server.Client();
        using var wrong = _server.Client(ApiToken.Create());
        using var malformed = _server.Client("not-a-token");
        foreach (var (method, path) in routes)
        {
            foreach (var client in new[] { anonymous, wrong, malformed })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) };
                using var response = await client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path}: {(int)response.StatusCode} {body}");
                Assert.Equal("""{"error":"unauthorized"}""", body);
            }
        }

        // The same routes answer with the admin token: the 401s above came from the token, not from the dummy values.
        using var admin = _server.Admin();
        var whoami = await admin.GetJsonAsync<WhoAmI>(ApiRoutes.Whoami);
        Assert.Equal("admin", whoami.Name);
    }

    [Fact]
    public async Task EveryAgentRoute_WithoutClientCertificate_Is401_ExceptCaEnrollAndCapabilities()
    {
        var routes = Routes().Where(r => r.Path.StartsWith(AgentRoutes.Prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(8, routes.Count);
        using var anonymous = _server.Client(_server.AdminToken); // an API token is not an agent identity
        foreach (var (method, path) in routes.Where(r => r.Path is not (AgentRoutes.CaCertificate or AgentRoutes.Enroll or AgentRoutes.Capabilities)))
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) };
            using var response = await anonymous.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path}: {(int)response.StatusCode}");
            Assert.Equal("""{"error":"unauthorized"}""", await response.Content.ReadAsStringAsync());
        }

        var capabilities = await anonymous.GetJsonAsync<Capabilities>(AgentRoutes.Capabilities);
        Assert.Contains("v1", capabilities.ProtocolVersions);
        Assert.Equal(TaskKinds.All, capabilities.TaskKinds);

        using var ca = await anonymous.GetAsync(AgentRoutes.CaCertificate);
        Assert.Equal(HttpStatusCode.OK, ca.StatusCode);
        Assert.Equal("application/x-pem-file", ca.Content.Headers.ContentType?.MediaType);
        using var served = X509Certificate2.CreateFromPem(await ca.Content.ReadAsStringAsync());
        Assert.Equal(_server.Authority.Fingerprint, CertificateFingerprint.Of(served));
        Assert.False(served.HasPrivateKey);
    }

    [Fact]
    public async Task ClientCertificateFromForeignCa_IsRefusedInHandshake_AndLeavesNoTrace()
    {
        var eventsBefore = await _server.ReadAsync(EventsStore.CountAsync);
        using var foreignCa = CertificateAuthority.Create("Someone else's CA");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var foreign = foreignCa.SignAgentCsr(CertificateSigningRequest.CreatePem(key, "intruder"), "intruder", "a-intruder");
        using var withKey = foreign.CopyWithPrivateKey(key);
        using var certificate = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);

        using var client = _server.Client(clientCertificate: certificate);
        var poll = new PollRequest(new HostInventory("x", []), []);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.PostJsonAsync(AgentRoutes.Poll, poll));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.PostJsonAsync(
            AgentRoutes.Enroll, new EnrollRequest("intruder", "fse1.x.y", "csr", "1")));

        Assert.Empty(await _server.ReadAsync(AgentsStore.ListAsync));
        Assert.Equal(eventsBefore, await _server.ReadAsync(EventsStore.CountAsync));
    }

    [Fact]
    public async Task ServerCertificateOfOurCa_UsedAsClientCertificate_IsRefusedInHandshake()
    {
        // Issued by our CA, but for serverAuth: not an agent.
        using var serverCertificate = _server.Authority.IssueServerCertificate(["localhost"]);
        using var pfx = X509CertificateLoader.LoadPkcs12(serverCertificate.Export(X509ContentType.Pkcs12), null);
        using var client = _server.Client(clientCertificate: pfx);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(AgentRoutes.BlobFor(new string('a', 64))));
    }

    [Fact]
    public async Task ReEnrolledAgent_OldCertificate_Is403_NewOneWorks()
    {
        using var first = await FakeAgent.EnrollAsync(_server, "host-1");
        Assert.Empty(await first.PollAsync());
        using var second = await FakeAgent.EnrollAsync(_server, "host-1", await _server.Admin().CreateAgentTokenAsync(replace: "host-1"));
        Assert.Equal(first.Id, second.Id);

        var refused = await Assert.ThrowsAsync<Xunit.Sdk.TrueException>(() => first.PollAsync());
        Assert.Contains("403", refused.Message, StringComparison.Ordinal);
        Assert.Empty(await second.PollAsync());
    }

    [Fact]
    public async Task PinnedClient_TrustsServer_FromFingerprintAlone()
    {
        // The enrollment token carries only the fingerprint: the client fetches the CA, then pins it.
        using var ca = await ServerCaBootstrap.FetchAsync(_server.BaseAddress, _server.Authority.Fingerprint, CancellationToken.None);
        Assert.Equal(_server.Authority.Fingerprint, CertificateFingerprint.Of(ca));

        using var client = PinnedClient(new ServerCertificatePin(_server.Authority.Fingerprint, ca));
        var capabilities = await client.GetJsonAsync<Capabilities>(AgentRoutes.Capabilities);
        Assert.False(string.IsNullOrEmpty(capabilities.ServerVersion));
    }

    [Fact]
    public async Task Bootstrap_ServerWithAnotherCa_FailsWithClearMessage()
    {
        using var other = CertificateAuthority.Create();
        var server = _server.BaseAddress.ToString().TrimEnd('/');

        var error = await Assert.ThrowsAsync<ServerTrustException>(
            () => ServerCaBootstrap.FetchAsync(_server.BaseAddress, other.Fingerprint, CancellationToken.None));

        Assert.Equal(
            $"The server at {server} presented a CA with fingerprint {_server.Authority.Fingerprint}, not the pinned {other.Fingerprint}: refusing to trust it.",
            error.Message);
    }

    [Fact]
    public async Task Bootstrap_NothingListening_ThrowsHttpRequestException()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // a port that was free a moment ago and has nobody behind it now

        await Assert.ThrowsAsync<HttpRequestException>(
            () => ServerCaBootstrap.FetchAsync(new Uri($"https://127.0.0.1:{port}"), _server.Authority.Fingerprint, CancellationToken.None));
    }

    [Fact]
    public async Task ClientPinningAnotherCa_CannotConnect()
    {
        using var other = CertificateAuthority.Create();
        using var client = PinnedClient(new ServerCertificatePin(other.Fingerprint, other.Certificate));
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(AgentRoutes.Capabilities));
    }

    [Fact]
    public void Build_WithHttpUrl_RefusesWithClearMessage()
    {
        using var data = new TempDirectory("fs-http");
        var error = Assert.Throws<ServerStartupException>(() =>
            ServerHost.Build(TestServer.DefaultOptions(data.Path) with { Urls = "http://127.0.0.1:0" }));
        Assert.Equal("Failsafe serves HTTPS only: 'http://127.0.0.1:0' is not an https:// URL.", error.Message);
    }

    private HttpClient PinnedClient(ServerCertificatePin pin) =>
        new(new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = pin.Callback } }) { BaseAddress = _server.BaseAddress };

    private List<(string Method, string Path)> Routes()
    {
        var source = _server.App.Services.GetRequiredService<EndpointDataSource>();
        return source.Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (m, Fill(e.RoutePattern.RawText!))))
            .ToList();
    }

    private static string Fill(string pattern) =>
        System.Text.RegularExpressions.Regex.Replace(pattern, "{([a-z0-9]+)[^}]*}", m => m.Groups[1].Value switch
        {
            "id" => "1",
            "sha256" => new string('0', 64),
            "version" => "1.0.0",
            _ => "dummy",
        });
}
