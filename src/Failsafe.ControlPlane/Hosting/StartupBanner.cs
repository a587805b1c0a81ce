using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;

namespace Failsafe.ControlPlane.Hosting;

/// <summary>What the operator needs once the server listens: its addresses, the pinned CA's fingerprint, and on the first start the admin token.</summary>
internal sealed class StartupBanner(
    IHostApplicationLifetime lifetime, IServer server, TrustAnchor anchor, ServerOptions options, FirstStart firstStart) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Print);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Print()
    {
        var output = options.Output ?? Console.Out;
        var token = firstStart.TakeAdminToken();
        if (token is not null)
        {
            output.WriteLine("Failsafe server is ready.");
            output.WriteLine($"  admin token (shown once, store it now): {token}");
            output.WriteLine($"  CA fingerprint (agents and the CLI pin it): {anchor.Fingerprint}");
        }

        foreach (var address in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            output.WriteLine($"Listening on {address}");
        }

        output.WriteLine($"CA fingerprint: {anchor.Fingerprint}");
        output.Flush();
    }
}

/// <summary>Holds the first admin token until the banner has shown it, then forgets it.</summary>
internal sealed class FirstStart(string? adminToken)
{
    private string? _adminToken = adminToken;

    public string? TakeAdminToken() => Interlocked.Exchange(ref _adminToken, null);
}
