using Microsoft.Extensions.Logging;

namespace Failsafe.DataPlane;

/// <summary>
/// What an agent does before anything else: throw away the work a killed predecessor left
/// half-done (staging directories, temporary links) and get every service's <c>current</c>
/// serving again, adopting the instance that still runs or starting a new one.
/// </summary>
internal sealed class Recovery(HostPaths host, InstanceSupervisor supervisor, ILogger<Recovery> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var service in host.ExistingServices())
        {
            var staging = ReleaseDirectories.RemoveStaging(service);
            var links = CurrentLink.RemoveLeftovers(service);
            if (staging + links > 0)
            {
                Log.LeftoversRemoved(logger, service.Name, staging, links);
            }

            try
            {
                await supervisor.RecoverServiceAsync(service, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or System.ComponentModel.Win32Exception or TaskFailedException)
            {
                // One broken service must not keep the others from serving.
                Log.RecoveryFailed(logger, service.Name, e.Message);
            }
        }
    }
}
