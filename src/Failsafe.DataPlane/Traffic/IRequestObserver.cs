namespace Failsafe.DataPlane.Traffic;

/// <summary>Told about every request the proxy finished, on the request's own thread: keep it cheap and non-blocking.</summary>
internal interface IRequestObserver
{
    /// <param name="service">The service whose public port took the request.</param>
    /// <param name="backend">The instance that served (or failed to serve) it.</param>
    /// <param name="canary">Whether that instance was the route's canary.</param>
    /// <param name="statusCode">
    /// The status the client got: the instance's own, 502/504 written by the proxy, 101 for an upgrade
    /// (reported when the upgrade is done, not when the tunnel closes), or 499 when the client went away first.
    /// </param>
    /// <param name="failed">
    /// True when the instance failed at the connection level: refused, reset, timed out (502/504 by the
    /// proxy) or broke off a response mid-body (the client's connection was aborted). Count it as an error
    /// as well as any status of 500 or more.
    /// </param>
    /// <param name="elapsed">From the request's arrival to the end of its response body.</param>
    void OnCompleted(string service, Backend backend, bool canary, int statusCode, bool failed, TimeSpan elapsed);
}
