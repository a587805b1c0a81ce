using System.Globalization;

namespace Failsafe.DataPlane;

/// <summary>
/// Reads /proc/&lt;pid&gt;/stat. The start time (field 22, clock ticks since boot) tells a process
/// from a later one that reused its pid, which is what makes killing a recorded pid safe.
/// </summary>
internal static class ProcStat
{
    /// <summary>Start time of a live (not zombie) process, or null when there is no such process.</summary>
    public static long? StartTimeTicks(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state), so field 22 is fields[19].
        if (fields.Length < 20 || fields[0] is "Z" or "X")
        {
            return null;
        }

        return long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ? ticks : null;
    }

    /// <summary>True when the process with this pid is the one that started at <paramref name="startTimeTicks"/> and has not exited.</summary>
    public static bool IsSameProcessAlive(int pid, long startTimeTicks) =>
        pid > 0 && StartTimeTicks(pid) == startTimeTicks;
}
