using System.Globalization;

namespace Failsafe.Bench.Proxy;

/// <param name="Duration">Length of each measured wrk run.</param>
/// <param name="Rounds">Measured runs per target, interleaved (direct, Failsafe, nginx, direct, ...).</param>
/// <param name="Switches">Route switches in the switch benchmark.</param>
/// <param name="Pin">Servers on CPU 0, wrk on CPU 1 (taskset), as in MEASURED.md.</param>
/// <param name="Inline">DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 for the proxy process.</param>
internal sealed record BenchSettings(int Duration, int Rounds, int Switches, bool Pin, bool Inline)
{
    public static BenchSettings Parse(string[] args) => new(
        Duration: IntOption(args, "--duration", 15),
        Rounds: IntOption(args, "--rounds", 3),
        Switches: IntOption(args, "--switches", 20),
        Pin: !args.Contains("--no-pin"),
        Inline: !args.Contains("--no-inline"));

    public static int IntOption(string[] args, string name, int? fallback = null)
    {
        var at = Array.IndexOf(args, name);
        if (at >= 0 && at + 1 < args.Length)
        {
            return int.Parse(args[at + 1], CultureInfo.InvariantCulture);
        }

        return fallback ?? throw new ArgumentException($"{name} is required");
    }
}
