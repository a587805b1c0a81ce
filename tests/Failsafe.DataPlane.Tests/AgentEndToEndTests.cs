using Failsafe.Contracts;
using Failsafe.Security;
using Failsafe.Tests.Common;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Failsafe.DataPlane.Tests;

/// <summary>The whole agent (AgentHost) against a fake server over real TLS: enrollment, mTLS polling, a task and its result.</summary>
public sealed class AgentEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _temp = new("failsafe-dp");
    private readonly TestCertificates _ca = new();

    public void Dispose()
    {
        _ca.Dispose();
        _temp.Dispose();
    }

    private AgentOptions Options(FakeServer server, string? token) => new()
    {
        Root = _temp.Path,
        ServerUrl = server.Url,
        Name = "host-1",
        EnrollToken = token,
        PollWaitSeconds = 1,
    };

    private void Logging(ILoggingBuilder logging) =>
        logging.ClearProviders().AddProvider(new TestOutputLoggerProvider(output));

    [Fact]
    public async Task RunAsync_WithToken_EnrollsPollsWithItsCertificateAndReportsATask()
    {
        await using var server = new FakeServer(_ca);
        await server.StartAsync();
        server.Tasks.Enqueue(new AgentTask(41, TaskKinds.Deactivate, "d-41", "web", null, null, null, new ActivationSettings()));
        using var stop = new CancellationTokenSource();

        var agent = AgentHost.RunAsync(Options(server, server.Token(CertificateFingerprint.Of(_ca.Ca))), Logging, stop.Token);
        var completed = await Eventually.TrueAsync(() => !server.Completions.IsEmpty || agent.IsCompleted, TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await agent.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(completed);
        var (id, result) = Assert.Single(server.Completions);
        Assert.Equal(41, id);
        Assert.True(result.Succeeded, result.Error);
        Assert.Contains(server.Steps, s => s.Id == 41 && s.Step.Name == StepNames.Switch && s.Step.Status == StepStatus.Succeeded);
        Assert.Equal("CN=host-1", server.PollClientSubjects.First());
        var identity = new AgentIdentityStore(new HostPaths(_temp.Path)).TryLoad()!;
        Assert.Equal("agt_host-1", identity.AgentId);
        Assert.Equal(CertificateFingerprint.Of(_ca.Ca), identity.CaFingerprint);
    }

    [Fact]
    public async Task RunAsync_SecondStartWithoutToken_UsesTheSavedIdentity()
    {
        await using var server = new FakeServer(_ca);
        await server.StartAsync();
        var fingerprint = CertificateFingerprint.Of(_ca.Ca);

        foreach (var token in new[] { server.Token(fingerprint), null })
        {
            using var stop = new CancellationTokenSource();
            var polls = server.PollClientSubjects.Count;
            var agent = AgentHost.RunAsync(Options(server, token), Logging, stop.Token);
            Assert.True(await Eventually.TrueAsync(() => server.PollClientSubjects.Count > polls || agent.IsCompleted, TimeSpan.FromSeconds(30)));
            await stop.CancelAsync();
            await agent.WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.All(server.PollClientSubjects, subject => Assert.Equal("CN=host-1", subject));
    }

    [Fact]
    public async Task RunAsync_ServerOfferingAnotherCa_RefusesToEnroll()
    {
        using var impostorCa = new TestCertificates();
        await using var server = new FakeServer(_ca, presentedBy: impostorCa);
        await server.StartAsync();
        var pinned = CertificateFingerprint.Of(_ca.Ca);

        var error = await Assert.ThrowsAsync<AgentException>(
            () => AgentHost.RunAsync(Options(server, server.Token(pinned)), Logging, CancellationToken.None)
                .WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(
            $"Enrollment stopped: The server at {server.Url} presented a CA with fingerprint {CertificateFingerprint.Of(impostorCa.Ca)}, not the pinned {pinned}: refusing to trust it.",
            error.Message);
        Assert.False(new AgentIdentityStore(new HostPaths(_temp.Path)).IsEnrolled);
    }

    [Fact]
    public async Task RunAsync_ServerHandingOutThePinnedCaButNotHoldingIt_RefusesToEnroll()
    {
        // An impostor can copy the public CA certificate, but not present a server certificate it signed.
        using var impostorCa = new TestCertificates();
        await using var server = new FakeServer(_ca, presentedBy: impostorCa, servesCaOf: _ca);
        await server.StartAsync();

        var error = await Assert.ThrowsAsync<AgentException>(
            () => AgentHost.RunAsync(Options(server, server.Token(CertificateFingerprint.Of(_ca.Ca))), Logging, CancellationToken.None)
                .WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.StartsWith($"Enrollment stopped: the server at {server.Url}/ did not present a certificate from the CA pinned in the token", error.Message, StringComparison.Ordinal);
        Assert.False(new AgentIdentityStore(new HostPaths(_temp.Path)).IsEnrolled);
    }

    [Fact]
    public async Task RunAsync_TokenTheServerDoesNotKnow_FailsWithTheServersReason()
    {
        await using var server = new FakeServer(_ca);
        await server.StartAsync();
        var unknown = $"fse1.{new string('x', 40)}.{CertificateFingerprint.Of(_ca.Ca)}";

        var error = await Assert.ThrowsAsync<AgentException>(
            () => AgentHost.RunAsync(Options(server, unknown), Logging, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal("Enrollment refused: enrollment: the server answered 401 Unauthorized: The enrollment token is unknown or used.", error.Message);
        Assert.False(new AgentIdentityStore(new HostPaths(_temp.Path)).IsEnrolled);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunAsync_InstanceLeftByAnEarlierAgent_IsAdoptedAndLeftRunningOnExitUnlessAskedToStop(bool stopOnExit)
    {
        await using var server = new FakeServer(_ca);
        await server.StartAsync();
        // An earlier agent on this root installed v1 and went away without stopping it (not disposed: that would stop it).
        var earlier = new AgentHarness(_temp.Path, output);
        var v1 = await TestReleases.HelloAsync(_temp, "web", "1.0.0");
        Assert.True((await earlier.InstallAsync(1, "web", v1)).Succeeded);
        var pid = earlier.Supervisor.Serving("web")!.Pid!.Value;
        earlier.Supervisor.DetachAll();

        using var stop = new CancellationTokenSource();
        var options = Options(server, server.Token(CertificateFingerprint.Of(_ca.Ca)));
        options.StopInstancesOnExit = stopOnExit;
        var agent = AgentHost.RunAsync(options, Logging, stop.Token);
        Assert.True(await Eventually.TrueAsync(() => !server.PollClientSubjects.IsEmpty || agent.IsCompleted, TimeSpan.FromSeconds(30)));
        await stop.CancelAsync();
        await agent.WaitAsync(TimeSpan.FromSeconds(30));

        try
        {
            Assert.Equal(!stopOnExit, Eventually.ProcessAlive(pid));
        }
        finally
        {
            Assert.Equal(stopOnExit ? 0 : 1, await AgentHost.StopInstancesAsync(_temp.Path));
        }

        Assert.False(Eventually.ProcessAlive(pid));
        Assert.Empty(Directory.EnumerateFiles(new HostPaths(_temp.Path).Service("web").Instances));
    }
}
