using Failsafe.DataPlane.Traffic;

namespace Failsafe.Bench.Proxy;

/// <summary>Stands in for the agent's metrics: counts requests and failures, as cheaply as a real observer should be.</summary>
internal sealed class CountingObserver : IRequestObserver
{
    private long _requests;
    private long _failed;
    private long _errors;

    public long Requests => Interlocked.Read(ref _requests);

    public long Failed => Interlocked.Read(ref _failed);

    public long Errors => Interlocked.Read(ref _errors);

    public void OnCompleted(string service, Backend backend, bool canary, int statusCode, bool failed, TimeSpan elapsed)
    {
        Interlocked.Increment(ref _requests);
        if (failed)
        {
            Interlocked.Increment(ref _failed);
        }

        if (failed || statusCode >= 500)
        {
            Interlocked.Increment(ref _errors);
        }
    }
}
