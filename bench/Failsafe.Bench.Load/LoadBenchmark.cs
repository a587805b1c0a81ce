using System.Globalization;

namespace Failsafe.Bench.Load;

internal static class LoadBenchmark
{
    public static async Task<int> RunAsync(LoadSettings settings)
    {
        var root = FindRoot();
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;
        var executable = Path.Combine(root, "src", "Failsafe", "bin", configuration, "net10.0", "failsafe");
        if (!File.Exists(executable))
        {
            Console.Error.WriteLine($"{executable} is missing: build with `dotnet build -c {configuration} bench/Failsafe.Bench.Load`.");
            return 2;
        }

        // Up to three sockets per agent on each side, the servers being children of this process (they inherit the limit).
        var (limit, before) = OpenFileLimit.EnsureAtLeast((ulong)(settings.Agents * 4 + 4096));
        var work = Path.Combine(Path.GetTempPath(), $"failsafe-load-{Guid.NewGuid():N}"[..26]);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; open files {before}{(limit != before ? $" → {limit}" : "")}");
        Console.WriteLine($"server: {executable} ({configuration}); work in {work}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fleet: {settings.Agents} agents, long poll {LoadSettings.PollWaitSeconds} s, {settings.MetricsShare:P0} report metrics every second; {settings.Lanes} pipelines deploy to {settings.DeployHosts} hosts in batches of {settings.DeployBatch} every {settings.DeployEverySeconds} s; step {settings.StepMilliseconds} ms"));

        var results = new List<CaseResult>();
        try
        {
            foreach (var name in settings.Cases)
            {
                results.Add(await LoadCase.RunAsync(name, settings, root, executable, work));
            }
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

        Console.WriteLine();
        Console.WriteLine(Report.Table(results));
        return results.Sum(r => r.DeploymentsFailed + r.ApiErrors) == 0 ? 0 : 1;
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
