using System.Globalization;

namespace Failsafe.Bench.Detection;

internal sealed record BenchSettings(int Runs = 200, int AaRuns = 1000, bool Tune = false)
{
    public static BenchSettings Parse(string[] args)
    {
        var settings = new BenchSettings();
        for (var i = 0; i < args.Length; i++)
        {
            settings = args[i] switch
            {
                "--runs" => settings with { Runs = int.Parse(args[++i], CultureInfo.InvariantCulture) },
                "--aa-runs" => settings with { AaRuns = int.Parse(args[++i], CultureInfo.InvariantCulture) },
                "--tune" => settings with { Tune = true },
                _ => throw new ArgumentException($"Unknown option {args[i]}; use --runs N, --aa-runs N, --tune."),
            };
        }

        return settings;
    }
}
