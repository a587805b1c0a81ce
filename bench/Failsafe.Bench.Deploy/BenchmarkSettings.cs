using System.Globalization;

namespace Failsafe.Bench.Deploy;

internal sealed record BenchmarkSettings(int Hosts, int Files, int Megabytes, bool Keep)
{
    public static BenchmarkSettings Parse(string[] args)
    {
        int Int(string name, int fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        }

        return new BenchmarkSettings(Int("--hosts", 10), Int("--files", 2000), Int("--mb", 100), args.Contains("--keep"));
    }
}
