using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Storage;
using Failsafe.ControlPlane.Tests.Infrastructure;
using Failsafe.Security;
using Failsafe.Tests.Common;

namespace Failsafe.ControlPlane.Tests;

public sealed class EnrollmentTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new("fs-enroll");
    private readonly OffsetTimeProvider _clock = new();
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(_data.Path, o => o with { Time = _clock });

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Enroll_IssuesClientAuthOnlyCertificate_ChainingToOurCa()
    {
        using var admin = _server.Admin();
        var created = await (await admin.PostJsonAsync(ApiRoutes.AgentTokens, new CreateAgentToken())).ReadAsync<AgentTokenCreated>();
        Assert.Equal(_server.Authority.Fingerprint, created.CaFingerprint);
        Assert.True(EnrollmentToken.TryParse(created.Token, out var parsed));
        Assert.Equal(_server.Authority.Fingerprint, parsed.CaFingerprint);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var anonymous = _server.Client();
        var response = await (await anonymous.PostJsonAsync(
            AgentRoutes.Enroll, new EnrollRequest("web-1", created.Token, CertificateSigningRequest.CreatePem(key, "whatever"), "1.0"))).ReadAsync<EnrollResponse>();

        using var certificate = X509Certificate2.CreateFromPem(response.CertificatePem);
        Assert.Equal("CN=web-1", certificate.Subject);
        var eku = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
        Assert.Equal(["1.3.6.1.5.5.7.3.2"], eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        Assert.True(_server.Authority.IsAgentCertificate(certificate));
        Assert.False(_server.Authority.IsServerCertificate(certificate));
        Assert.Equal(_server.Authority.Certificate.NotAfter, certificate.NotAfter); // no renewal protocol yet: they live as long as the CA
        Assert.Equal(_server.Authority.CertificatePem.Trim(), response.CaCertificatePem.Trim());
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), certificate.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo());

        var enrolled = Assert.Single(await admin.GetJsonAsync<List<EventInfo>>(ApiRoutes.Events + "?target=web-1"));
        Assert.Equal(("web-1", "agent.enroll", "ok"), (enrolled.Actor, enrolled.Action, enrolled.Result));
        var agent = Assert.Single(await admin.GetJsonAsync<List<AgentInfo>>(ApiRoutes.Agents));
        Assert.Equal((response.AgentId, "web-1", false), (agent.Id, agent.Name, agent.Online));
    }

    [Fact]
    public async Task Enroll_TokenUsedTwice_SecondIs401()
    {
        var token = await _server.Admin().CreateAgentTokenAsync();
        using var first = await FakeAgent.EnrollAsync(_server, "web-1", token);
        var error = await EnrollRawAsync("web-2", token);
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Equal("This enrollment token was already used.", (await error.ReadErrorAsync()).Error);
        Assert.Single(await _server.ReadAsync(AgentsStore.ListAsync));
    }

    [Fact]
    public async Task Enroll_ExpiredToken_Is401()
    {
        var token = await _server.Admin().CreateAgentTokenAsync(minutes: 5);
        _clock.Advance(TimeSpan.FromMinutes(6));
        var error = await EnrollRawAsync("web-1", token);
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.StartsWith("This enrollment token expired at ", (await error.ReadErrorAsync()).Error, StringComparison.Ordinal);
        Assert.Empty(await _server.ReadAsync(AgentsStore.ListAsync));
    }

    [Fact]
    public async Task Enroll_UnknownOrForeignToken_Is401_AndBadCsrIs400()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await EnrollRawAsync("web-1", EnrollmentToken.Create(_server.Authority.Fingerprint).ToString())).StatusCode);
        var foreign = await EnrollRawAsync("web-1", EnrollmentToken.Create(new string('b', 64)).ToString());
        Assert.Equal("This enrollment token was issued by another Failsafe server.", (await foreign.ReadErrorAsync()).Error);

        var token = await _server.Admin().CreateAgentTokenAsync();
        using var anonymous = _server.Client();
        var badCsr = await anonymous.PostJsonAsync(AgentRoutes.Enroll, new EnrollRequest("web-1", token, "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----", "1"));
        Assert.Equal(HttpStatusCode.BadRequest, badCsr.StatusCode);

        // The token survives a refused CSR: nothing was enrolled.
        using var agent = await FakeAgent.EnrollAsync(_server, "web-1", token);
        Assert.Equal("web-1", agent.Name);
    }

    [Fact]
    public async Task Enroll_EnrolledNameWithPlainToken_Is409_AgentKeepsWorking_TokenUnspent()
    {
        using var web1 = await FakeAgent.EnrollAsync(_server, "web-1");
        var token = await _server.Admin().CreateAgentTokenAsync();

        var error = await EnrollRawAsync("web-1", token);

        Assert.Equal(HttpStatusCode.Conflict, error.StatusCode);
        Assert.Equal(
            "Host web-1 is already enrolled; to replace it (a re-imaged host), create a token with 'failsafe agent-token create --replace web-1'.",
            (await error.ReadErrorAsync()).Error);
        Assert.Empty(await web1.PollAsync());
        using var web2 = await FakeAgent.EnrollAsync(_server, "web-2", token);
        var agents = await _server.ReadAsync(AgentsStore.ListAsync);
        Assert.Equal([(web1.Id, "web-1"), (web2.Id, "web-2")], agents.Select(a => (a.Id, a.Name)));
        var attempt = (await _server.Admin().GetJsonAsync<List<EventInfo>>(ApiRoutes.Events + "?target=web-1"))[0];
        Assert.Equal(("agent.enroll", "denied"), (attempt.Action, attempt.Result));
    }

    [Fact]
    public async Task Enroll_ReplaceToken_TakesOverName_OldCertificateIs403()
    {
        using var old = await FakeAgent.EnrollAsync(_server, "web-1");
        using var admin = _server.Admin();
        var token = await admin.CreateAgentTokenAsync(replace: "web-1");
        var created = (await admin.GetJsonAsync<List<EventInfo>>(ApiRoutes.Events + "?target=agent-tokens"))[0];
        Assert.EndsWith("; may replace agent web-1", created.Detail, StringComparison.Ordinal);

        using var reimaged = await FakeAgent.EnrollAsync(_server, "web-1", token);

        Assert.Equal(old.Id, reimaged.Id);
        Assert.Empty(await reimaged.PollAsync());
        var refused = await Assert.ThrowsAsync<Xunit.Sdk.TrueException>(() => old.PollAsync());
        Assert.Contains("403", refused.Message, StringComparison.Ordinal);
        Assert.StartsWith("replaced; earlier certificates revoked", (await admin.GetJsonAsync<List<EventInfo>>(ApiRoutes.Events + "?target=web-1"))[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enroll_ReplaceTokenForAnotherName_IsRefused()
    {
        using var web1 = await FakeAgent.EnrollAsync(_server, "web-1");
        using var web2 = await FakeAgent.EnrollAsync(_server, "web-2");
        var token = await _server.Admin().CreateAgentTokenAsync(replace: "web-1");

        foreach (var name in new[] { "web-2", "web-3" })
        {
            var error = await EnrollRawAsync(name, token);
            Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
            Assert.Equal($"This enrollment token may only replace the agent web-1, not enroll {name}.", (await error.ReadErrorAsync()).Error);
        }

        Assert.Empty(await web2.PollAsync());
        Assert.Equal(2, (await _server.ReadAsync(AgentsStore.ListAsync)).Count);
    }

    [Fact]
    public async Task CreateToken_ReplaceNameNotEnrolled_Is404()
    {
        var response = await _server.Admin().PostJsonAsync(ApiRoutes.AgentTokens, new CreateAgentToken(Replace: "web-9"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("No agent named web-9 is enrolled; a token for a new host needs no --replace.", (await response.ReadErrorAsync()).Error);
    }

    [Fact]
    public async Task Enroll_UnknownOrMalformedToken_Is401_WritesNothing()
    {
        var before = await _server.ReadAsync(EventsStore.CountAsync);

        foreach (var token in new[] { EnrollmentToken.Create(_server.Authority.Fingerprint).ToString(), "fse1.nonsense" })
        {
            var error = await EnrollRawAsync("web-1", token);
            Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
            Assert.Equal("The enrollment token is not valid.", (await error.ReadErrorAsync()).Error);
        }

        Assert.Equal(before, await _server.ReadAsync(EventsStore.CountAsync));
        Assert.Empty(await _server.ReadAsync(AgentsStore.ListAsync));
    }

    [Fact]
    public async Task Agents_OnlineFollowsLastPoll()
    {
        using var agent = await FakeAgent.EnrollAsync(_server, "web-1");
        await agent.PollAsync();
        using var admin = _server.Admin();
        Assert.True(Assert.Single(await admin.GetJsonAsync<List<AgentInfo>>(ApiRoutes.Agents)).Online);
        _clock.Advance(TimeSpan.FromSeconds(61));
        Assert.False(Assert.Single(await admin.GetJsonAsync<List<AgentInfo>>(ApiRoutes.Agents)).Online);
    }

    private async Task<HttpResponseMessage> EnrollRawAsync(string name, string token)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var anonymous = _server.Client();
        return await anonymous.PostJsonAsync(AgentRoutes.Enroll, new EnrollRequest(name, token, CertificateSigningRequest.CreatePem(key, name), "1"));
    }
}
