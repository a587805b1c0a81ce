namespace Failsafe.Analysis.Simulation;

/// <summary>
/// A service's latency distribution, as the bucket a request lands in: a log-normal body plus a
/// slow tail (another log-normal), every time multiplied by <see cref="Scale"/>. Sampling inverts
/// the exact bucket probabilities, so it costs one uniform number and a binary search.
/// </summary>
internal sealed class LatencyModel
{
    private readonly double[] below;

    public LatencyModel(double medianMs, double sigma, double tailShare, double tailMedianMs, double tailSigma, double scale = 1)
    {
        (MedianMs, Sigma, TailShare, TailMedianMs, TailSigma, Scale) = (medianMs, sigma, tailShare, tailMedianMs, tailSigma, scale);
        below = new double[LatencyHistogram.BucketCount];
        for (var b = 0; b < below.Length; b++)
        {
            below[b] = Cdf(LatencyHistogram.BucketUpperMicroseconds(b) / 1000.0);
        }
    }

    public double MedianMs { get; }

    public double Sigma { get; }

    public double TailShare { get; }

    public double TailMedianMs { get; }

    public double TailSigma { get; }

    public double Scale { get; }

    /// <summary>A typical web service: median 40 ms, σ 0.5, and 2% of requests around 200 ms.</summary>
    public static LatencyModel Typical(double scale = 1) => new(40, 0.5, 0.02, 200, 0.5, scale);

    public LatencyModel Scaled(double factor) => new(MedianMs, Sigma, TailShare, TailMedianMs, TailSigma, Scale * factor);

    /// <summary>P(latency ≤ ms).</summary>
    public double Cdf(double ms)
    {
        if (ms <= 0)
        {
            return 0;
        }

        var x = ms / Scale;
        return ((1 - TailShare) * Normal.Cdf(Math.Log(x / MedianMs) / Sigma)) + (TailShare * Normal.Cdf(Math.Log(x / TailMedianMs) / TailSigma));
    }

    /// <summary>The exact quantile, by bisection on the CDF.</summary>
    public double QuantileMs(double q)
    {
        double lo = 0, hi = 1e7;
        for (var i = 0; i < 200; i++)
        {
            var mid = (lo + hi) / 2;
            if (Cdf(mid) < q)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return (lo + hi) / 2;
    }

    /// <summary>A histogram of <paramref name="count"/> requests with exactly the expected count in each bucket (rounded).</summary>
    public LatencyHistogram Expected(long count)
    {
        var histogram = new LatencyHistogram();
        long assigned = 0;
        for (var b = 0; b < below.Length; b++)
        {
            var target = b == below.Length - 1 ? count : (long)Math.Round(below[b] * count);
            if (target > assigned)
            {
                histogram.Add(b, target - assigned);
                assigned = target;
            }
        }

        return histogram;
    }

    public int SampleBucket(Rng rng)
    {
        var u = rng.NextDouble();
        int lo = 0, hi = below.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) >> 1;
            if (below[mid] > u)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }
}

internal static class Normal
{
    /// <summary>Φ(z), from erfc (W. J. Cody's rational approximation via Numerical Recipes' erfcc, |error| &lt; 1.2e-7).</summary>
    public static double Cdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2));

    private static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + (0.5 * z));
        var r = t * Math.Exp((-z * z) - 1.26551223 + (t * (1.00002368 + (t * (0.37409196 + (t * (0.09678418 +
            (t * (-0.18628806 + (t * (0.27886807 + (t * (-1.13520398 + (t * (1.48851587 +
            (t * (-0.82215223 + (t * 0.17087277))))))))))))))))));
        return x >= 0 ? r : 2 - r;
    }
}
