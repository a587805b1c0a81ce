using Failsafe.Bench.Load;

// Simulates a fleet of agents (real protocol, mutual TLS, one certificate each) against `failsafe server` processes: one on
// SQLite, and two replicas on one PostgreSQL. Usage: [--agents N] [--seconds N] [--case sqlite|postgres|both] [--warmup N]
// [--metrics-share F] [--lanes N] [--deploy-hosts N] [--deploy-batch N] [--deploy-every S] [--step-ms N] [--enroll-concurrency N] [--keep]
return await LoadBenchmark.RunAsync(LoadSettings.Parse(args));
