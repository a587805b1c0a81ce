using System.Text;

namespace Failsafe.DataPlane;

internal static class LogTail
{
    /// <summary>The last few KiB of an instance log: what a person needs to see why it did not become healthy.</summary>
    public static string Read(string path, int maxBytes = 4096)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var start = Math.Max(0, file.Length - maxBytes);
            file.Seek(start, SeekOrigin.Begin);
            var buffer = new byte[file.Length - start];
            file.ReadExactly(buffer);
            var text = Encoding.UTF8.GetString(buffer);
            return start > 0 && text.IndexOf('\n') is var newline and >= 0 ? text[(newline + 1)..] : text;
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }
}
