namespace Failsafe.DataPlane.Traffic;

/// <summary>How a forwarded request ended, for the observer.</summary>
/// <param name="At">The timestamp its latency ends at; 0 for "when reported".</param>
internal readonly record struct Outcome(int Status, bool Failed, long At = 0)
{
    /// <summary>nginx's code for a client that closed the connection before the response was complete.</summary>
    public const int ClientClosedRequest = 499;

    public static Outcome ClientGone => new(ClientClosedRequest, Failed: false);
}
