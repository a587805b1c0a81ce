namespace Failsafe.Bench.Deploy;

/// <summary>
/// A release folder of a given size and file count: the sample service plus generated files,
/// half random bytes (incompressible, like binaries and images) and half text (compressible).
/// </summary>
internal static class ReleaseTree
{
    public static void Create(string sampleBuild, string target, int files, long totalBytes)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(sampleBuild))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        var random = new Random(20261122);
        var perFile = totalBytes / files;
        var buffer = new byte[perFile];
        for (var i = 0; i < files; i++)
        {
            var dir = Path.Combine(target, "assets", $"d{i % 40:00}");
            Directory.CreateDirectory(dir);
            if (i % 2 == 0)
            {
                random.NextBytes(buffer);
            }
            else
            {
                for (var j = 0; j < buffer.Length; j++)
                {
                    buffer[j] = (byte)"failsafe ships one release at a time\n"[(j + i) % 37];
                }
            }

            File.WriteAllBytes(Path.Combine(dir, $"f{i:0000}.bin"), buffer);
        }
    }
}
