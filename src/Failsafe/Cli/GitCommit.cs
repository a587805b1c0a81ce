using System.Diagnostics;

namespace Failsafe.Cli;

/// <summary>The commit a folder is checked out at, for the audit trail of apply: "-dirty" when it has uncommitted changes,
/// null when it is not a git checkout or git is not installed.</summary>
internal static class GitCommit
{
    public static string? Of(string folder)
    {
        var head = Git(folder, "rev-parse", "HEAD");
        if (head is null)
        {
            return null;
        }

        var status = Git(folder, "status", "--porcelain", "--", ".");
        return status is { Length: > 0 } ? head + "-dirty" : head;
    }

    private static string? Git(string folder, params string[] args)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            using var git = Process.Start(start);
            if (git is null)
            {
                return null;
            }

            var output = git.StandardOutput.ReadToEnd();
            git.StandardError.ReadToEnd();
            git.WaitForExit();
            return git.ExitCode == 0 ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
