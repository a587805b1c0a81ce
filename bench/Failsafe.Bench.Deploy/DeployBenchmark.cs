using System.Diagnostics;
using System.Globalization;
using Failsafe.Artifacts;
using Failsafe.Cli;
using Failsafe.Client;
using Failsafe.Contracts;
using Failsafe.Demo;

namespace Failsafe.Bench.Deploy;

internal static class DeployBenchmark
{
    public static async Task<int> RunAsync(BenchmarkSettings settings)
    {
        var root = FindRoot();
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;
        var sampleBuild = Path.Combine(root, "samples", "HelloService", "bin", configuration, "net10.0");
        var failsafe = new FailsafeExecutable("dotnet", [Path.Combine(root, "src", "Failsafe", "bin", configuration, "net10.0", "failsafe.dll")]);
        var work = Path.Combine(Path.GetTempPath(), $"failsafe-bench-{Guid.NewGuid():N}"[..22]);
        var source = Path.Combine(work, "release");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
        Console.WriteLine($"release: {settings.Files} generated files, {settings.Megabytes} MB, plus the sample service; {settings.Hosts} agents on 127.0.0.1; work in {work}");

        try
        {
            ReleaseTree.Create(sampleBuild, source, settings.Files, settings.Megabytes * 1_000_000L);
            var artifact = Path.Combine(work, "bench.fsr");
            var packClock = Stopwatch.StartNew();
            var packed = await ArtifactPacker.PackToFileAsync(
                new PackRequest(source, "bench", "1.0.0", "dotnet HelloService.dll", new HealthCheckSpec("/healthz", 60), []), artifact);
            Console.WriteLine($"pack: {packClock.Elapsed.TotalSeconds:0.00} s, {packed.Manifest.EntryCount} entries, {packed.Manifest.TotalSize / 1e6:0.0} MB → {packed.Size / 1e6:0.0} MB");

            await using var cluster = await LocalCluster.StartServerAsync(work, failsafe, CancellationToken.None);
            using var client = new FailsafeClient(cluster.Connection);
            var pushClock = Stopwatch.StartNew();
            await client.PushAsync("bench", "1.0.0", artifact, packed.Sha256, CancellationToken.None);
            Console.WriteLine($"push: {pushClock.Elapsed.TotalSeconds:0.00} s");
            await cluster.StartAgentsAsync(client, settings.Hosts, CancellationToken.None);

            var deployClock = Stopwatch.StartNew();
            var created = await client.CreateDeploymentAsync(new CreateDeployment("bench", "1.0.0", All: true, BatchSize: settings.Hosts), CancellationToken.None);
            var final = await DeploymentFollower.FollowPlainAsync(client, created, TextWriter.Null, CancellationToken.None);
            var deploySeconds = deployClock.Elapsed.TotalSeconds;
            if (final.State != DeploymentStates.Succeeded)
            {
                Console.WriteLine($"deployment {final.State}: {final.Reason}");
                return 1;
            }

            var perHost = final.Hosts.Select(h => h.Steps.Where(s => s.Name is "download" or "verify" or "extract" or "switch").Sum(s => s.DurationMs) / 1000.0).Order().ToList();
            var memory = ServerMemory(cluster.ServerProcessId);
            var rsyncSeconds = await RsyncFanOutAsync(source, Path.Combine(work, "rsync"), settings.Hosts);

            Console.WriteLine();
            Console.WriteLine($"| figure | value |");
            Console.WriteLine($"|---|---|");
            Console.WriteLine($"| failsafe deploy to {settings.Hosts} hosts, wall | {deploySeconds:0.00} s |");
            Console.WriteLine($"| per-host download+verify+extract+switch, median / max | {perHost[perHost.Count / 2]:0.00} s / {perHost[^1]:0.00} s |");
            Console.WriteLine($"| server memory after the deployment: RSS / peak RSS | {memory} |");
            Console.WriteLine($"| rsync -a to {settings.Hosts} fresh folders in parallel, wall | {rsyncSeconds:0.00} s |");
            Console.WriteLine($"| ratio failsafe / rsync | {deploySeconds / rsyncSeconds:0.00} |");
            Console.WriteLine();
            Console.WriteLine("| step (median over hosts) | seconds |");
            Console.WriteLine("|---|---|");
            foreach (var step in final.Hosts[0].Steps.Select(s => s.Name).Distinct())
            {
                var times = final.Hosts.Select(h => h.Steps.Where(s => s.Name == step).Sum(s => s.DurationMs) / 1000.0).Order().ToList();
                Console.WriteLine($"| {step} | {times[times.Count / 2]:0.00} |");
            }
            return 0;
        }
        finally
        {
            if (!settings.Keep)
            {
                try
                {
                    Directory.Delete(work, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private static async Task<double> RsyncFanOutAsync(string source, string targets, int count)
    {
        Directory.CreateDirectory(targets);
        var clock = Stopwatch.StartNew();
        var runs = Enumerable.Range(0, count).Select(async i =>
        {
            using var process = Process.Start(new ProcessStartInfo("rsync", ["-a", source + "/", Path.Combine(targets, $"host-{i}") + "/"]))
                ?? throw new InvalidOperationException("rsync did not start (apt-get install -y rsync)");
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"rsync exited {process.ExitCode}");
            }
        });
        await Task.WhenAll(runs);
        return clock.Elapsed.TotalSeconds;
    }

    private static string ServerMemory(int? pid)
    {
        if (pid is null || !File.Exists($"/proc/{pid}/status"))
        {
            return "n/a";
        }

        var lines = File.ReadAllLines($"/proc/{pid}/status");
        string Field(string name) => lines.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal))?[name.Length..].Trim() ?? "?";
        return string.Create(CultureInfo.InvariantCulture, $"{Field("VmRSS:")} / {Field("VmHWM:")}");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Failsafe.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmark from a Failsafe checkout.");
    }
}
