using System.Collections.Concurrent;
using Failsafe.DataPlane.Traffic;

namespace Failsafe.DataPlane.Tests.Traffic;

internal sealed record ObservedRequest(string Service, Backend Backend, bool Canary, int StatusCode, bool Failed, TimeSpan Elapsed);

internal sealed class RecordingObserver : IRequestObserver
{
    private readonly ConcurrentQueue<ObservedRequest> _requests = new();

    public IReadOnlyList<ObservedRequest> Requests => [.. _requests];

    public void OnCompleted(string service, Backend backend, bool canary, int statusCode, bool failed, TimeSpan elapsed) =>
        _requests.Enqueue(new ObservedRequest(service, backend, canary, statusCode, failed, elapsed));
}
