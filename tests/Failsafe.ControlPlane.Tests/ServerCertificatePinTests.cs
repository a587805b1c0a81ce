using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Failsafe.ControlPlane.Tests.Infrastructure;
using Failsafe.Security;

namespace Failsafe.ControlPlane.Tests;

public sealed class ServerCertificatePinTests : IDisposable
{
    private readonly CertificateAuthority _ca = CertificateAuthority.Create("Pinned CA");
    private readonly CertificateAuthority _other = CertificateAuthority.Create("Other CA");

    public void Dispose()
    {
        _ca.Dispose();
        _other.Dispose();
    }

    [Fact]
    public void Constructor_CaWithoutThePinnedFingerprint_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new ServerCertificatePin(_ca.Fingerprint, _other.Certificate));
        Assert.Equal("caCertificate", error.ParamName);
    }

    [Fact]
    public void Validate_ServerCertificateOfThePinnedCa_IsTrusted()
    {
        using var server = _ca.IssueServerCertificate(["localhost"]);
        Assert.True(new ServerCertificatePin(_ca.Fingerprint, _ca.Certificate).Validate(server));
    }

    [Fact]
    public void Callback_CertificateOfThePinnedCaForAnotherName_IsRefused()
    {
        using var server = _ca.IssueServerCertificate(["intranet.example.org"]);
        var callback = new ServerCertificatePin(_ca.Fingerprint, _ca.Certificate).Callback;

        Assert.False(callback(this, server, null, System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch | System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.True(callback(this, server, null, System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Fact]
    public void Validate_ServerCertificateOfAnotherCa_IsRefused()
    {
        using var server = _other.IssueServerCertificate(["localhost"]);
        Assert.False(new ServerCertificatePin(_ca.Fingerprint, _ca.Certificate).Validate(server));
    }

    [Fact]
    public void Validate_AgentCertificateOfThePinnedCa_IsNotAServer()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var agent = _ca.SignAgentCsr(CertificateSigningRequest.CreatePem(key, "host-1"), "host-1", "a-1");
        Assert.False(new ServerCertificatePin(_ca.Fingerprint, _ca.Certificate).Validate(agent));
    }

    [Fact]
    public void Validate_ThroughAnIntermediate_TrustedOnlyWithTheIntermediateSent()
    {
        using var root = TestPki.Root("Pinned Root");
        using var intermediate = TestPki.Intermediate(root, "Issuing CA");
        using var server = TestPki.RsaServer(intermediate);
        var pin = new ServerCertificatePin(CertificateFingerprint.Of(root), root);
        Assert.False(pin.Validate(server));
        Assert.True(pin.Validate(server, [intermediate]));
    }

    [Fact]
    public void Validate_IntermediatesSent_NeverStandInForThePinnedRoot()
    {
        using var root = TestPki.Root("Pinned Root");
        using var otherRoot = TestPki.Root("Other Root");
        using var otherIntermediate = TestPki.Intermediate(otherRoot, "Other Issuing CA");
        using var server = TestPki.RsaServer(otherIntermediate);
        var pin = new ServerCertificatePin(CertificateFingerprint.Of(root), root);
        Assert.False(pin.Validate(server, [otherIntermediate]));
        Assert.False(pin.Validate(server, [otherIntermediate, otherRoot]));
        Assert.True(new ServerCertificatePin(CertificateFingerprint.Of(otherRoot), otherRoot).Validate(server, [otherIntermediate]));
    }
}
