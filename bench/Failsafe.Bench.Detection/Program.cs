using Failsafe.Bench.Detection;

// Time to catch a regressed canary, our always-valid analysis beside a Flagger-style threshold
// check on the same simulated streams, and the false-alarm rate of both on A/A streams.
// Usage: [--runs N] [--aa-runs N] [--tune]
return DetectionBenchmark.Run(BenchSettings.Parse(args));
