using System.Text;
using Failsafe.Artifacts;

namespace Failsafe.Artifacts.Tests.Support;

/// <summary>
/// A source tree with one of everything a release can hold: nested directories, an empty one, a
/// dotfile, an executable, a read-only file, a binary, and symlinks to a directory and to a file.
/// </summary>
internal static class SampleTree
{
    public const UnixFileMode Executable = (UnixFileMode)0x1ED; // 0755
    public const UnixFileMode ReadOnly = (UnixFileMode)0x124; // 0444
    public const UnixFileMode PrivateDirectory = (UnixFileMode)0x1E8; // 0750

    public const string RunScript = "#!/bin/sh\nexec echo running\n";

    public static void Create(string root)
    {
        Write(root, "bin/run.sh", RunScript, Executable);
        Write(root, ".env", "MODE=production\n");
        Write(root, "lib/nested/deep/settings.json", "{\"answer\": 42}\n");
        Write(root, "lib/data.bin", RandomBytes(150_000, seed: 7));
        Write(root, "readonly.txt", "do not edit\n", ReadOnly);
        Directory.CreateDirectory(Path.Join(root, "empty"));
        File.SetUnixFileMode(Path.Join(root, "lib/nested"), PrivateDirectory);
        File.CreateSymbolicLink(Path.Join(root, "config"), "lib/nested");
        File.CreateSymbolicLink(Path.Join(root, "lib/run"), "../bin/run.sh");
    }

    public static PackRequest Request(string root, DateTimeOffset? createdAt = null) => new(
        root,
        "billing-api",
        "1.4.2",
        "bin/run.sh",
        new HealthCheckSpec("/healthz", 10),
        [new HookSpec(HookNames.PreActivate, "bin/run.sh migrate", 120)],
        createdAt);

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static void Write(string root, string path, string content, UnixFileMode? mode = null) =>
        Write(root, path, Encoding.UTF8.GetBytes(content), mode);

    public static void Write(string root, string path, byte[] content, UnixFileMode? mode = null)
    {
        var full = Path.Join(root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
        if (mode is { } m)
        {
            File.SetUnixFileMode(full, m);
        }
    }
}
