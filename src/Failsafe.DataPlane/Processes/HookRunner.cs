using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Failsafe.DataPlane;

internal sealed record HookResult(int? ExitCode, bool TimedOut, string Output, TimeSpan Duration)
{
    public bool Succeeded => ExitCode == 0 && !TimedOut;

    public string Describe(string hook, TimeSpan timeout) => TimedOut
        ? $"hook {hook} did not finish within {timeout.TotalSeconds:0} s and was killed"
        : $"hook {hook} exited with code {ExitCode}";
}

/// <param name="Variables">The release's variables, in the hook's environment (the agent's own names set after them win).</param>
internal sealed record HookContext(string Service, string Version, string ReleaseDirectory, string SharedDirectory, ReleaseVariables? Variables = null);

/// <summary>
/// Runs a hook of a release with <c>/bin/sh -c</c> in its own process group, so a timeout kills
/// the hook and everything it started. Output (stdout and stderr, interleaved) is kept up to 64 KiB.
/// </summary>
internal sealed class HookRunner(TimeProvider time, ILogger<HookRunner> logger)
{
    public const int MaxOutputBytes = 64 * 1024;
    private static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(2);

    public async Task<HookResult> RunAsync(string name, string command, HookContext context, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = context.ReleaseDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add("/bin/sh");
        info.ArgumentList.Add("-c");
        // One pipe for both streams keeps their lines in the order they were written.
        info.ArgumentList.Add("exec 2>&1\n" + command);
        ChildEnvironment.RemoveAgentVariables(info.Environment);
        context.Variables?.ApplyTo(info.Environment);
        info.Environment["FAILSAFE_HOOK"] = name;
        info.Environment["FAILSAFE_SERVICE"] = context.Service;
        info.Environment["FAILSAFE_VERSION"] = context.Version;
        info.Environment["FAILSAFE_RELEASE_DIR"] = context.ReleaseDirectory;
        info.Environment["FAILSAFE_SHARED_DIR"] = context.SharedDirectory;
        info.Environment["SHARED_DIR"] = context.SharedDirectory;

        var started = time.GetTimestamp();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("setsid did not start.");
        process.StandardInput.Close();
        var output = new CappedBuffer(MaxOutputBytes);
        var readers = Task.WhenAll(
            PumpAsync(process.StandardOutput.BaseStream, output),
            PumpAsync(process.StandardError.BaseStream, output));

        var timedOut = false;
        using (var timeoutSource = new CancellationTokenSource(timeout, time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, cancellationToken))
        {
            try
            {
                await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                timedOut = timeoutSource.IsCancellationRequested;
                PosixFile.KillGroup(process.Id, PosixFile.SigKill);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                if (!timedOut)
                {
                    throw;
                }
            }
        }

        // Children that escaped to another session could hold the pipe open forever; do not wait on them.
        PosixFile.Kill(-process.Id, PosixFile.SigKill);
        await Task.WhenAny(readers, Task.Delay(OutputGrace, time, CancellationToken.None)).ConfigureAwait(false);

        var duration = time.GetElapsedTime(started);
        var result = new HookResult(timedOut ? null : process.ExitCode, timedOut, output.ToString(), duration);
        Log.HookFinished(logger, name, context.Service, result.ExitCode, timedOut, (long)duration.TotalMilliseconds);
        return result;
    }

    private static async Task PumpAsync(Stream stream, CappedBuffer output)
    {
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                output.Append(buffer.AsSpan(0, read));
            }
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private sealed class CappedBuffer(int capacity)
    {
        private readonly Lock _lock = new();
        private readonly MemoryStream _bytes = new();
        private bool _truncated;

        public void Append(ReadOnlySpan<byte> data)
        {
            lock (_lock)
            {
                var room = capacity - (int)_bytes.Length;
                if (data.Length > room)
                {
                    _truncated = true;
                    data = data[..Math.Max(room, 0)];
                }

                _bytes.Write(data);
            }
        }

        public override string ToString()
        {
            lock (_lock)
            {
                var text = Encoding.UTF8.GetString(_bytes.GetBuffer(), 0, (int)_bytes.Length);
                return _truncated ? text + $"\n[output truncated at {capacity / 1024} KiB]" : text;
            }
        }
    }
}
