using System.Globalization;
using System.Runtime.InteropServices;

namespace Failsafe.Bench.Load;

/// <summary>What /proc says about a process: resident memory and CPU time.</summary>
internal static partial class ProcStat
{
    private const int ScClkTck = 2;
    private static readonly double TicksPerSecond = SysConf(ScClkTck) is var t and > 0 ? t : 100;

    /// <summary>VmRSS in bytes, or null when the process is gone.</summary>
    public static long? RssBytes(int pid) => StatusField(pid, "VmRSS:", 1024);

    /// <summary>How many threads the process has.</summary>
    public static long? Threads(int pid) => StatusField(pid, "Threads:", 1);

    /// <summary>VmHWM (peak RSS) in bytes.</summary>
    public static long? PeakRssBytes(int pid) => StatusField(pid, "VmHWM:", 1024);

    /// <summary>User plus system CPU seconds of the process; with <paramref name="children"/> also of its children that exited.</summary>
    public static double? CpuSeconds(int pid, bool children = false)
    {
        var fields = StatFields(pid);
        if (fields is null)
        {
            return null;
        }

        // Fields after "(comm)": state is [0], utime [11], stime [12], cutime [13], cstime [14].
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        if (children)
        {
            ticks += long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
        }

        return ticks / TicksPerSecond;
    }

    public static int? ParentOf(int pid) => StatFields(pid) is { } fields ? int.Parse(fields[1], CultureInfo.InvariantCulture) : null;

    /// <summary>CPU seconds of a process tree: the root with its reaped children, plus every live descendant (PostgreSQL's backends).</summary>
    public static double TreeCpuSeconds(int root)
    {
        var total = CpuSeconds(root, children: true) ?? 0;
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && ParentOf(pid) is { } parent)
            {
                parents[pid] = parent;
            }
        }

        foreach (var pid in parents.Keys)
        {
            if (pid != root && IsDescendant(pid, root, parents))
            {
                total += CpuSeconds(pid) ?? 0;
            }
        }

        return total;
    }

    private static bool IsDescendant(int pid, int root, Dictionary<int, int> parents)
    {
        for (var p = pid; parents.TryGetValue(p, out var parent) && parent > 1; p = parent)
        {
            if (parent == root)
            {
                return true;
            }
        }

        return false;
    }

    private static long? StatusField(int pid, string name, long unit)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(name, StringComparison.Ordinal))
                {
                    var value = line[name.Length..].Trim().Split(' ')[0];
                    return long.Parse(value, CultureInfo.InvariantCulture) * unit;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    private static string[]? StatFields(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);
}
