using Failsafe.Cli;
using Failsafe.Client;
using Failsafe.Demo;

namespace Failsafe.IntegrationTests;

/// <summary>
/// The API as a client behind a load balancer sees it: one client per replica, each call sent to the next replica in turn,
/// and a call that finds its replica gone (refused, cut mid-answer) tried on the next one.
/// </summary>
internal sealed class ReplicaApi : IDisposable
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(200);
    private readonly FailsafeClient[] _clients;
    private int _next;

    public ReplicaApi(LocalCluster cluster)
    {
        _clients = [.. Enumerable.Range(0, cluster.ReplicaCount).Select(i => new FailsafeClient(cluster.ReplicaConnection(i)))];
    }

    public int Count => _clients.Length;

    public FailsafeClient Replica(int index) => _clients[index];

    /// <summary>The index of the replica the next call goes to first.</summary>
    public int Next() => (int)((uint)Interlocked.Increment(ref _next) % (uint)_clients.Length);

    /// <summary>
    /// For reads and for writes that may be repeated (a push of the same bytes): tried on one replica after another until one
    /// answers. An answer that is an error (4xx, 5xx) is not retried: it is the test's to judge.
    /// </summary>
    public async Task<T> RetryAsync<T>(Func<FailsafeClient, Task<T>> call, string what, TimeSpan? patience = null)
    {
        var deadline = TimeProvider.System.GetUtcNow() + (patience ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                return await call(_clients[Next()]);
            }
            catch (ServerUnreachableException) when (TimeProvider.System.GetUtcNow() < deadline)
            {
                await Task.Delay(Pause);
            }
            catch (ServerUnreachableException e)
            {
                throw new TimeoutException($"No replica answered {what} for {(patience ?? TimeSpan.FromSeconds(30)).TotalSeconds:0} s: {e.Message}", e);
            }
        }
    }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }
}
