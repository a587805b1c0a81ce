using Failsafe.Analysis.Simulation;

namespace Failsafe.Analysis.Tests;

public sealed class ConfidenceSequenceTests
{
    [Fact]
    public void HalfWidth_GaussianMeanPeekedAtEveryStep_MissesAtMostAlphaWhereAFixedIntervalMissesOften()
    {
        // The mean of n standard normals, looked at after every one of 2,000 steps.
        const int walks = 2_000, steps = 2_000;
        const double alpha = 0.05;
        var rng = new Rng(3);
        int alwaysValidMisses = 0, fixedMisses = 0;
        for (var w = 0; w < walks; w++)
        {
            double sum = 0;
            bool missed = false, fixedMissed = false;
            for (var n = 1; n <= steps; n++)
            {
                sum += Gaussian(rng);
                var mean = sum / n;
                var variance = 1.0 / n;
                missed |= Math.Abs(mean) > ConfidenceSequence.HalfWidth(variance, tau: 0.1, alpha);
                fixedMissed |= Math.Abs(mean) > 1.96 * Math.Sqrt(variance);
            }

            alwaysValidMisses += missed ? 1 : 0;
            fixedMisses += fixedMissed ? 1 : 0;
        }

        Assert.True(alwaysValidMisses <= alpha * walks, $"always-valid interval missed in {alwaysValidMisses} of {walks} walks");
        Assert.True(fixedMisses >= 0.3 * walks, $"a 95% interval peeked at every step missed in only {fixedMisses} of {walks} walks");
    }

    [Fact]
    public void HalfWidth_ShrinksWithVarianceAndIsZeroWithout()
    {
        Assert.Equal(0, ConfidenceSequence.HalfWidth(0, 0.01, 0.01));
        var previous = double.MaxValue;
        foreach (var variance in new[] { 1e-2, 1e-3, 1e-4, 1e-5, 1e-6 })
        {
            var width = ConfidenceSequence.HalfWidth(variance, 0.01, 0.01);
            Assert.True(width < previous);
            // Always wider than the fixed-sample 99% interval (z = 2.576) for the same variance.
            Assert.True(width > 2.576 * Math.Sqrt(variance));
            previous = width;
        }
    }

    private static double Gaussian(Rng rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
