namespace Failsafe.ControlPlane.Analysis;

/// <summary>
/// Prometheus could not give analysis its numbers. The message is one sentence the operator can act on;
/// it never holds the credentials of the Prometheus URL.
/// </summary>
internal sealed class PrometheusQueryException : Exception
{
    public PrometheusQueryException()
    {
    }

    public PrometheusQueryException(string message)
        : base(message)
    {
    }

    public PrometheusQueryException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
