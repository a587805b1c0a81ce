using System.Security.Cryptography;
using Failsafe.Security;
using Failsafe.Tests.Common;

namespace Failsafe.DataPlane.Tests;

public sealed class AgentIdentityTests : IDisposable
{
    private readonly TempDirectory _temp = new("failsafe-dp");
    private readonly TestCertificates _certificates = new();

    public void Dispose()
    {
        _certificates.Dispose();
        _temp.Dispose();
    }

    private AgentIdentityStore Store => new(new HostPaths(_temp.Path));

    private AgentIdentity SaveEnrolledIdentity()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = _certificates.Issue(key, "host-1");
        var identity = new AgentIdentity("agt_123", "host-1", "https://127.0.0.1:8443/", CertificateFingerprint.Of(_certificates.Ca));
        Store.Save(identity, certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(), _certificates.CaPem);
        return identity;
    }

    [Fact]
    public void TryLoad_NeverEnrolled_ReturnsNull() => Assert.Null(Store.TryLoad());

    [Fact]
    public void Save_ThenTryLoad_RoundTripsWithAPrivateKeyOnlyTheOwnerCanRead()
    {
        var identity = SaveEnrolledIdentity();

        Assert.Equal(identity, Store.TryLoad());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Store.KeyFile));
        using var client = Store.LoadClientCertificate();
        Assert.True(client.HasPrivateKey);
        Assert.Equal("CN=host-1", client.Subject);
        using var ca = Store.LoadCaCertificate();
        Assert.Equal(identity.CaFingerprint, CertificateFingerprint.Of(ca));
    }

    [Fact]
    public void ServerConnection_ForAgent_BuildsFromTheSavedIdentity()
    {
        var identity = SaveEnrolledIdentity();

        using var connection = ServerConnection.ForAgent(new Uri(identity.ServerUrl), identity, Store);

        Assert.Equal(new Uri("https://127.0.0.1:8443/"), connection.Http.BaseAddress);
    }

    [Fact]
    public void ServerConnection_ForAgent_CaFileNotMatchingThePin_IsRefused()
    {
        var identity = SaveEnrolledIdentity() with { CaFingerprint = new string('b', 64) };

        var error = Assert.Throws<AgentException>(() => ServerConnection.ForAgent(new Uri(identity.ServerUrl), identity, Store));

        Assert.Contains("does not match the CA fingerprint", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryLoad_CorruptIdentity_FailsWithOneLineSayingWhatToDo()
    {
        SaveEnrolledIdentity();
        File.WriteAllText(Store.IdentityFile, "{ not json");

        var error = Assert.Throws<AgentException>(() => Store.TryLoad());

        Assert.StartsWith($"{Store.IdentityFile} is not valid JSON", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("enroll again.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void TryLoad_KeyFileMissing_FailsNamingIt()
    {
        SaveEnrolledIdentity();
        File.Delete(Store.KeyFile);

        var error = Assert.Throws<AgentException>(() => Store.TryLoad());

        Assert.StartsWith($"{Store.KeyFile} is missing", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "This agent is not enrolled yet: give it an enrollment token (fse1.…) created on the server.")]
    [InlineData("  ", "This agent is not enrolled yet: give it an enrollment token (fse1.…) created on the server.")]
    [InlineData("fse1.short.abc", "The enrollment token is not valid: it has the form fse1.<secret>.<64 hex characters>; copy it again from the server.")]
    [InlineData("fsk1_0123456789012345678901234567890123456789", "The enrollment token is not valid: it has the form fse1.<secret>.<64 hex characters>; copy it again from the server.")]
    public void ParseToken_MissingOrMalformed_FailsWithOneLine(string? token, string expected) =>
        Assert.Equal(expected, Assert.Throws<AgentException>(() => AgentEnrollment.ParseToken(token)).Message);

    [Fact]
    public void ParseToken_WellFormed_CarriesTheCaFingerprint()
    {
        var token = EnrollmentToken.Create(CertificateFingerprint.Of(_certificates.Ca));

        Assert.Equal(token, AgentEnrollment.ParseToken(token.ToString()));
    }

    [Fact]
    public async Task EnsureEnrolledAsync_AlreadyEnrolled_IgnoresTheTokenAndNeedsNoServer()
    {
        var identity = SaveEnrolledIdentity();
        var options = new AgentOptions { Root = _temp.Path, EnrollToken = "fse1.whatever.x" };
        var enrollment = new AgentEnrollment(Store, options, TimeProvider.System, new TestOutputLogger<AgentEnrollment>(null));

        Assert.Equal(identity, await enrollment.EnsureEnrolledAsync(CancellationToken.None));
    }

    [Fact]
    public async Task EnsureEnrolledAsync_NotEnrolledAndNoServerUrl_FailsBeforeAnyNetwork()
    {
        var token = EnrollmentToken.Create(CertificateFingerprint.Of(_certificates.Ca));
        var options = new AgentOptions { Root = _temp.Path, EnrollToken = token.ToString(), ServerUrl = "http://plain.example" };
        var enrollment = new AgentEnrollment(Store, options, TimeProvider.System, new TestOutputLogger<AgentEnrollment>(null));

        var error = await Assert.ThrowsAsync<AgentException>(() => enrollment.EnsureEnrolledAsync(CancellationToken.None));

        Assert.StartsWith("Server URL 'http://plain.example' is not valid", error.Message, StringComparison.Ordinal);
        Assert.False(Store.IsEnrolled);
    }
}
