using Failsafe.Bench.Deploy;

// Deploys a 100 MB, 2,000-file release to 10 agents on loopback and copies the same folder to
// 10 fresh folders with rsync -a in the same run. Usage: [--hosts N] [--files N] [--mb N] [--keep]
return await DeployBenchmark.RunAsync(BenchmarkSettings.Parse(args));
