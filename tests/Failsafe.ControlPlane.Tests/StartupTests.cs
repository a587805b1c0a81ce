using Failsafe.Contracts;
using Failsafe.ControlPlane.Hosting;
using Failsafe.ControlPlane.Tests.Infrastructure;
using Failsafe.Security;
using Failsafe.Tests.Common;

namespace Failsafe.ControlPlane.Tests;

public sealed class StartupTests
{
    [Fact]
    public async Task FirstStart_PrintsTokenOnce_SecondStartReusesCaAndPrintsNoToken()
    {
        using var data = new TempDirectory("fs-start");
        string fingerprint;
        string token;
        await using (var first = await TestServer.StartAsync(data.Path))
        {
            token = first.AdminToken;
            fingerprint = first.Authority.Fingerprint;
            var output = first.Output;
            Assert.Contains("Failsafe server is ready.", output, StringComparison.Ordinal);
            Assert.Contains($"  admin token (shown once, store it now): {token}", output, StringComparison.Ordinal);
            Assert.Contains($"  CA fingerprint (agents and the CLI pin it): {fingerprint}", output, StringComparison.Ordinal);
            Assert.Contains($"Listening on https://127.0.0.1:{first.BaseAddress.Port}", output, StringComparison.Ordinal);
            Assert.Contains($"CA fingerprint: {fingerprint}", output, StringComparison.Ordinal);
            Assert.StartsWith(ApiToken.Prefix, token, StringComparison.Ordinal);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(data.Combine("admin.token")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(data.Combine("tls/ca.key.pem")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(data.Combine("tls/server.key.pem")));
        Assert.DoesNotContain(token, await File.ReadAllTextAsync(data.Combine("failsafe.db")), StringComparison.Ordinal);

        await using var second = await TestServer.StartAsync(data.Path);
        Assert.Equal(fingerprint, second.Authority.Fingerprint);
        Assert.DoesNotContain("admin token", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(token, second.Output, StringComparison.Ordinal);
        Assert.Contains($"CA fingerprint: {fingerprint}", second.Output, StringComparison.Ordinal);

        // The token from the first start still works.
        using var admin = second.Admin();
        Assert.Equal("admin", (await admin.GetJsonAsync<WhoAmI>(ApiRoutes.Whoami)).Name);
    }

    [Fact]
    public async Task FirstStart_PortTaken_ShowsTheAdminTokenBeforeGivingUp_AndTheTokenWorksLater()
    {
        using var data = new TempDirectory("fs-start");
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var output = new StringWriter();
        var options = TestServer.DefaultOptions(data.Path) with { Urls = $"https://127.0.0.1:{port}", BootstrapTokenFile = null, Output = output };

        var exit = await ServerHost.RunAsync(options, CancellationToken.None);

        Assert.Equal(1, exit);
        var shown = output.ToString().Split(' ').Last().Trim();
        Assert.StartsWith(ApiToken.Prefix, shown, StringComparison.Ordinal);
        taken.Stop();
        await File.WriteAllTextAsync(data.Combine("admin.token"), "unused"); // the harness reads it; the real token is the one shown
        await using var second = await TestServer.StartAsync(data.Path);
        using var admin = second.Client(shown);
        Assert.Equal("admin", (await admin.GetJsonAsync<WhoAmI>(ApiRoutes.Whoami)).Name);
    }

    [Fact]
    public async Task ServerCertificate_CoversLoopbackAndExtraNames_AndIsServerAuthOnly()
    {
        using var data = new TempDirectory("fs-start");
        await using var server = await TestServer.StartAsync(data.Path, o => o with { TlsSubjectAlternativeNames = ["deploy.example.org", "10.1.2.3"] });
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(
            await File.ReadAllTextAsync(data.Combine("tls/server.crt.pem")));
        var san = certificate.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension>().Single();
        Assert.Contains("deploy.example.org", san.EnumerateDnsNames());
        Assert.Contains("localhost", san.EnumerateDnsNames());
        Assert.Contains(System.Net.IPAddress.Parse("10.1.2.3"), san.EnumerateIPAddresses());
        Assert.Contains(System.Net.IPAddress.IPv6Loopback, san.EnumerateIPAddresses());
        Assert.True(server.Authority.IsServerCertificate(certificate));
        Assert.False(server.Authority.IsAgentCertificate(certificate));
    }
}
