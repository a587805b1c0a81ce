using System.Security.Cryptography;
using System.Text;

namespace Failsafe.DataPlane;

/// <summary>Small files written so that a crash leaves either the old content or the new one.</summary>
internal static class DurableFile
{
    public static void WriteAllText(string path, string content, UnixFileMode? mode = null)
    {
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.tmp-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (mode is { } unixMode)
        {
            options.UnixCreateMode = unixMode;
        }

        try
        {
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(Encoding.UTF8.GetBytes(content));
                stream.Flush(flushToDisk: true);
            }

            PosixFile.Rename(temp, path);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        PosixFile.FsyncDirectory(directory);
    }

    public static string? ReadTrimmedOrNull(string path)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            return text.Length == 0 ? null : text;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }
}
