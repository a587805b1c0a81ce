using System.Runtime.InteropServices;

namespace Failsafe.Bench.Load;

/// <summary>
/// Each simulated agent holds up to three sockets (poll, task reports, metrics) and the server one per socket too; the servers
/// are children of this process and inherit its limit. Raises the soft limit to the hard one when it is below what the run needs.
/// </summary>
internal static partial class OpenFileLimit
{
    private const int RlimitNofile = 7;

    /// <returns>The soft limit in force afterwards, and what it was before.</returns>
    public static (ulong Now, ulong Before) EnsureAtLeast(ulong needed)
    {
        if (GetRlimit(RlimitNofile, out var limit) != 0)
        {
            throw new InvalidOperationException($"getrlimit failed: errno {Marshal.GetLastPInvokeError()}");
        }

        var before = limit.Current;
        if (limit.Current >= needed || limit.Current >= limit.Maximum)
        {
            return (limit.Current, before);
        }

        var raised = limit with { Current = limit.Maximum };
        if (SetRlimit(RlimitNofile, in raised) != 0)
        {
            throw new InvalidOperationException($"setrlimit failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return (raised.Current, before);
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Rlimit(ulong Current, ulong Maximum);

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRlimit(int resource, out Rlimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRlimit(int resource, in Rlimit limit);
}
