using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Hosting;
using Failsafe.ControlPlane.Tests.Infrastructure;
using Failsafe.Security;
using Failsafe.Tests.Common;

namespace Failsafe.ControlPlane.Tests;

/// <summary>--tls-cert, --tls-key, --tls-ca: the operator's certificate is served and its CA pinned; agents keep our CA.</summary>
public sealed class ProvidedCertificateTests : IDisposable
{
    private readonly TempDirectory _files = new("fs-own-cert");
    private readonly X509Certificate2 _root = TestPki.Root("Example Root");
    private readonly X509Certificate2 _intermediate;
    private readonly X509Certificate2 _server;

    public ProvidedCertificateTests()
    {
        _intermediate = TestPki.Intermediate(_root, "Example Issuing CA");
        _server = TestPki.RsaServer(_intermediate);
    }

    public void Dispose()
    {
        _server.Dispose();
        _intermediate.Dispose();
        _root.Dispose();
        _files.Dispose();
    }

    [Fact]
    public async Task Start_WithCertificateKeyAndCa_ServesThem_ClientsPinTheCa_AgentsStillGetOurCertificates()
    {
        var certificateFile = _files.WriteFile("server.crt", TestPki.Pem(_server, _intermediate));
        var keyFile = _files.WriteFile("server.key", TestPki.KeyPem(_server));
        var caFile = _files.WriteFile("ca.crt", TestPki.Pem(_root));
        var data = _files.Combine("data");
        await using var server = await TestServer.StartAsync(data, o => o with { TlsCertificateFile = certificateFile, TlsKeyFile = keyFile, TlsCaFile = caFile });
        var rootFingerprint = CertificateFingerprint.Of(_root);

        // What a client that knows only the fingerprint does: GET /agent/v1/ca, keep it if it is the pinned one.
        using var fetched = await ServerCaBootstrap.FetchAsync(server.BaseAddress, rootFingerprint, CancellationToken.None);
        Assert.Equal(_root.RawData, fetched.RawData);
        Assert.False(fetched.HasPrivateKey);
        Assert.Contains($"  CA fingerprint (agents and the CLI pin it): {rootFingerprint}", server.Output, StringComparison.Ordinal);
        Assert.Contains($"CA fingerprint: {rootFingerprint}", server.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Join(data, "tls", "server.crt.pem")));

        // The handshake presents the operator's certificate (and its intermediate, without which the pin would refuse it).
        var presented = new List<string>();
        var pin = new ServerCertificatePin(rootFingerprint, fetched);
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
                {
                    presented.Add(Convert.ToHexStringLower(certificate!.GetCertHash(HashAlgorithmName.SHA256)));
                    return pin.Callback(sender, certificate, chain, errors);
                },
            },
        };
        using var admin = new HttpClient(handler) { BaseAddress = server.BaseAddress };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminToken);
        Assert.Equal("admin", (await admin.GetJsonAsync<WhoAmI>(ApiRoutes.Whoami)).Name);
        Assert.Equal([CertificateFingerprint.Of(_server)], presented);

        // Enrollment tokens carry the operator's CA; the agent's certificate still comes from our own CA.
        var created = await (await admin.PostJsonAsync(ApiRoutes.AgentTokens, new CreateAgentToken())).ReadAsync<AgentTokenCreated>();
        Assert.Equal(rootFingerprint, created.CaFingerprint);
        Assert.True(EnrollmentToken.TryParse(created.Token, out var token));
        Assert.Equal(rootFingerprint, token.CaFingerprint);
        using var agent = await FakeAgent.EnrollAsync(server, "web-1", created.Token);
        using (var told = X509Certificate2.CreateFromPem(agent.ServerCaPem))
        {
            Assert.Equal(_root.RawData, told.RawData);
        }

        Assert.Empty(await agent.PollAsync());
        Assert.True(Assert.Single(await admin.GetJsonAsync<List<AgentInfo>>(ApiRoutes.Agents)).Online);
        Assert.True(server.Authority.IsAgentCertificate(agent.Certificate));
        Assert.True(TestPki.ChainsTo(agent.Certificate, server.Authority.Certificate));
        Assert.False(TestPki.ChainsTo(agent.Certificate, _root));

        // The operator's CA does not get to make agents: its client certificates end in the handshake.
        using var foreign = TestPki.RsaServer(_root, TestPki.ClientAuth);
        using var foreignPfx = X509CertificateLoader.LoadPkcs12(foreign.Export(X509ContentType.Pkcs12), null);
        using var intruder = server.Client(clientCertificate: foreignPfx);
        await Assert.ThrowsAsync<HttpRequestException>(() => intruder.PostJsonAsync(AgentRoutes.Poll, new PollRequest(new HostInventory("x", []), [])));
    }

    [Fact]
    public async Task Start_WithSelfSignedCertificateHoldingItsKey_PinsTheCertificateItself()
    {
        using var self = TestPki.SelfSignedServer();
        var certificateFile = _files.WriteFile("self.pem", TestPki.Pem(self) + TestPki.KeyPem(self, sec1: true));
        await using var server = await TestServer.StartAsync(_files.Combine("data"), o => o with { TlsCertificateFile = certificateFile });
        var fingerprint = CertificateFingerprint.Of(self);
        Assert.Equal(fingerprint, server.CaFingerprint);
        Assert.NotEqual(server.Authority.Fingerprint, fingerprint);

        using var fetched = await ServerCaBootstrap.FetchAsync(server.BaseAddress, fingerprint, CancellationToken.None);
        Assert.Equal(self.RawData, fetched.RawData);
        Assert.False(fetched.HasPrivateKey);
        using var admin = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = new ServerCertificatePin(fingerprint, fetched).Callback },
        })
        { BaseAddress = server.BaseAddress };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminToken);
        Assert.Equal("admin", (await admin.GetJsonAsync<WhoAmI>(ApiRoutes.Whoami)).Name);

        using var agent = await FakeAgent.EnrollAsync(server, "web-1");
        Assert.Empty(await agent.PollAsync());
        Assert.True(server.Authority.IsAgentCertificate(agent.Certificate));
    }

    [Fact]
    public void Start_KeyOfAnotherCertificate_IsRefused()
    {
        var certificateFile = _files.WriteFile("server.crt", TestPki.Pem(_server, _intermediate));
        var caFile = _files.WriteFile("ca.crt", TestPki.Pem(_root));
        using var other = TestPki.RsaServer(_intermediate);
        var keyFile = _files.WriteFile("other.key", TestPki.KeyPem(other));
        Assert.Equal(
            $"The private key in '{keyFile}' does not match the certificate in '{certificateFile}'.",
            Refusal(o => o with { TlsCertificateFile = certificateFile, TlsKeyFile = keyFile, TlsCaFile = caFile }));

        // A key of another kind (ECDSA for an RSA certificate) is no match either.
        var ecKeyFile = _files.WriteFile("ec.key", TestPki.KeyPem(_intermediate));
        Assert.Equal(
            $"The private key in '{ecKeyFile}' does not match the certificate in '{certificateFile}'.",
            Refusal(o => o with { TlsCertificateFile = certificateFile, TlsKeyFile = ecKeyFile, TlsCaFile = caFile }));
    }

    [Fact]
    public void Start_CertificateWithoutKeyOrKeyWithoutCertificate_IsRefused()
    {
        var certificateFile = _files.WriteFile("server.crt", TestPki.Pem(_server, _intermediate));
        var caFile = _files.WriteFile("ca.crt", TestPki.Pem(_root));
        Assert.Equal(
            $"--tls-cert file '{certificateFile}' holds no private key: give it with --tls-key.",
            Refusal(o => o with { TlsCertificateFile = certificateFile, TlsCaFile = caFile }));
        Assert.Equal(
            $"--tls-key file '{caFile}' holds no PEM private key.",
            Refusal(o => o with { TlsCertificateFile = certificateFile, TlsKeyFile = caFile, TlsCaFile = caFile }));
        Assert.Equal(
            "--tls-key and --tls-ca go with --tls-cert: give the server's certificate too, or none of them.",
            Refusal(o => o with { TlsKeyFile = _files.WriteFile("server.key", TestPki.KeyPem(_server)) }));
    }

    [Fact]
    public void Start_CaIssuedCertificateWithoutTlsCa_IsRefused()
    {
        var certificateFile = _files.WriteFile("server.crt", TestPki.Pem(_server, _intermediate) + TestPki.KeyPem(_server));
        Assert.Equal(
            "--tls-cert is issued by 'CN=Example Issuing CA'; give that CA's certificate with --tls-ca so agents and the CLI can pin it.",
            Refusal(o => o with { TlsCertificateFile = certificateFile }));
    }

    [Fact]
    public void Start_CertificateNotIssuedByTheGivenCa_IsRefused()
    {
        var certificateFile = _files.WriteFile("server.crt", TestPki.Pem(_server, _intermediate));
        var keyFile = _files.WriteFile("server.key", TestPki.KeyPem(_server));
        using var otherRoot = TestPki.Root("Other Root");
        var otherCaFile = _files.WriteFile("other-ca.crt", TestPki.Pem(otherRoot));
        Assert.Equal(
            $"--tls-cert '{certificateFile}' is not issued by the CA in --tls-ca '{otherCaFile}'.",
            Refusal(o => o with { TlsCertificateFile = certificateFile, TlsKeyFile = keyFile, TlsCaFile = otherCaFile }));

        // The right root, but the intermediate between it and the certificate is in neither file.
        var leafOnlyFile = _files.WriteFile("leaf.crt", TestPki.Pem(_server));
        var caFile = _files.WriteFile("ca.crt", TestPki.Pem(_root));
        Assert.Equal(
            $"--tls-cert '{leafOnlyFile}' is not issued by the CA in --tls-ca '{caFile}'.",
            Refusal(o => o with { TlsCertificateFile = leafOnlyFile, TlsKeyFile = keyFile, TlsCaFile = caFile }));

        // Only the intermediate as --tls-ca: clients must pin a self-signed root.
        var intermediateFile = _files.WriteFile("intermediate.crt", TestPki.Pem(_intermediate));
        Assert.Equal(
            $"--tls-ca file '{intermediateFile}' holds no self-signed root CA: add the certificate of 'CN=Example Root' and any above it; agents and the CLI pin the root.",
            Refusal(o => o with { TlsCertificateFile = leafOnlyFile, TlsKeyFile = keyFile, TlsCaFile = intermediateFile }));
    }

    [Fact]
    public void Start_MissingOrNonPemFile_IsRefused()
    {
        var certificateFile = _files.WriteFile("server.crt", TestPki.Pem(_server, _intermediate));
        var keyFile = _files.WriteFile("server.key", TestPki.KeyPem(_server));
        var caFile = _files.WriteFile("ca.crt", TestPki.Pem(_root));
        var missing = _files.Combine("nothing-here.pem");
        Assert.Equal(
            $"--tls-cert file '{missing}' does not exist.",
            Refusal(o => o with { TlsCertificateFile = missing, TlsKeyFile = keyFile, TlsCaFile = caFile }));
        Assert.Equal(
            $"--tls-key file '{missing}' does not exist.",
            Refusal(o => o with { TlsCertificateFile = certificateFile, TlsKeyFile = missing, TlsCaFile = caFile }));
        Assert.Equal(
            $"--tls-ca file '{missing}' does not exist.",
            Refusal(o => o with { TlsCertificateFile = certificateFile, TlsKeyFile = keyFile, TlsCaFile = missing }));

        var der = _files.Combine("server.der");
        File.WriteAllBytes(der, _server.RawData);
        Assert.Equal(
            $"--tls-cert file '{der}' holds no PEM certificate.",
            Refusal(o => o with { TlsCertificateFile = der, TlsKeyFile = keyFile, TlsCaFile = caFile }));
    }

    [Fact]
    public void Start_ExpiredCertificate_IsRefused()
    {
        using var expired = TestPki.RsaServer(_root, notAfter: DateTimeOffset.UtcNow.AddDays(-1));
        var certificateFile = _files.WriteFile("expired.crt", TestPki.Pem(expired) + TestPki.KeyPem(expired));
        var caFile = _files.WriteFile("ca.crt", TestPki.Pem(_root));
        Assert.Equal(
            $"The certificate in '{certificateFile}' expired on {expired.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z.",
            Refusal(o => o with { TlsCertificateFile = certificateFile, TlsCaFile = caFile }));
    }

    [Fact]
    public void Start_CertificateWithoutServerAuth_IsRefused()
    {
        using var client = TestPki.RsaServer(_root, TestPki.ClientAuth);
        var certificateFile = _files.WriteFile("client.crt", TestPki.Pem(client) + TestPki.KeyPem(client));
        var caFile = _files.WriteFile("ca.crt", TestPki.Pem(_root));
        Assert.Equal(
            $"The certificate in '{certificateFile}' is not meant for a TLS server: its extended key usage lacks serverAuth.",
            Refusal(o => o with { TlsCertificateFile = certificateFile, TlsCaFile = caFile }));
    }

    /// <summary>The one-line message of a refused start, which must come before anything is written.</summary>
    private string Refusal(Func<ServerOptions, ServerOptions> tweak)
    {
        var data = _files.Combine("data-" + Guid.NewGuid().ToString("N"));
        var error = Assert.Throws<ServerStartupException>(() => ServerHost.Build(tweak(TestServer.DefaultOptions(data))));
        Assert.DoesNotContain('\n', error.Message);
        Assert.False(Directory.Exists(data), "a refused start wrote into the data folder");
        return error.Message;
    }
}
