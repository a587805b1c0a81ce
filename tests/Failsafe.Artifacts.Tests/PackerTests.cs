using System.Diagnostics;
using System.IO.Compression;
using System.Net.Sockets;
using System.Text;
using Failsafe.Artifacts.Tests.Support;
using Failsafe.Tests.Common;

namespace Failsafe.Artifacts.Tests;

public sealed class PackerTests : IDisposable
{
    private readonly TempDirectory _temp = new("failsafe-pack");

    private string Source => _temp.Combine("src");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task PackAsync_SameTreeTwice_GivesIdenticalBytes()
    {
        SampleTree.Create(Source);
        var (first, firstResult) = await PackAsync(SampleTree.Request(Source));

        // What must not matter: time passing, directory mtimes moving, files being read.
        await Task.Delay(1100);
        File.Delete(_temp.WriteFile("src/lib/nested/scratch.tmp", "temporary"));
        File.Delete(_temp.WriteFile("src/empty/scratch.tmp", "temporary"));
        _ = await File.ReadAllBytesAsync(Path.Join(Source, "lib/data.bin"));
        var (second, secondResult) = await PackAsync(SampleTree.Request(Source));

        Assert.Equal(first, second);
        Assert.Equal(firstResult.Sha256, secondResult.Sha256);
        Assert.Equal(Sha256Hex.Of(first), firstResult.Sha256);
        Assert.Equal(first.Length, firstResult.Size);
    }

    [Fact]
    public async Task PackAsync_FixedCreatedAt_IgnoresTouchedFiles()
    {
        SampleTree.Create(Source);
        var createdAt = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var (first, _) = await PackAsync(SampleTree.Request(Source, createdAt));

        await Task.Delay(1100);
        File.SetLastWriteTimeUtc(Path.Join(Source, "bin/run.sh"), DateTime.UtcNow);
        var (second, result) = await PackAsync(SampleTree.Request(Source, createdAt));

        Assert.Equal(first, second);
        Assert.Equal(createdAt, result.Manifest.CreatedAt);
    }

    [Fact]
    public async Task PackAsync_SampleTree_DescribesEveryEntry()
    {
        SampleTree.Create(Source);

        var (_, result) = await PackAsync(SampleTree.Request(Source));

        var m = result.Manifest;
        string[] expectedPaths =
            [".env", "bin", "bin/run.sh", "config", "empty", "lib", "lib/data.bin", "lib/nested", "lib/nested/deep", "lib/nested/deep/settings.json", "lib/run", "readonly.txt"];
        Assert.Equal(expectedPaths, m.Files.Select(f => f.Path));
        Assert.Equal(expectedPaths.Length, m.EntryCount);
        Assert.Equal(m.Files.Sum(f => f.Size), m.TotalSize);
        Assert.Equal(new ManifestEntry("bin/run.sh", EntryTypes.File, SampleTree.RunScript.Length, "0755", Sha256Hex.Of(Encoding.UTF8.GetBytes(SampleTree.RunScript))), m.Files[2]);
        Assert.Equal(new ManifestEntry("config", EntryTypes.Symlink, 0, "0777", null, "lib/nested"), m.Files[3]);
        Assert.Equal(new ManifestEntry("empty", EntryTypes.Directory, 0, ModeText.Format(File.GetUnixFileMode(Path.Join(Source, "empty"))), null), m.Files[4]);
        Assert.Equal("0750", m.Files[7].Mode);
        Assert.Equal("0444", m.Files[^1].Mode);
        Assert.Equal(("billing-api", "1.4.2", "bin/run.sh"), (m.Service, m.Version, m.EntryCommand));
        Assert.Equal(TimeSpan.Zero, m.CreatedAt.Offset);
    }

    [Fact]
    public async Task PackAsync_GzipHeader_HasNoTimestamp()
    {
        SampleTree.Create(Source);

        var (bytes, _) = await PackAsync(SampleTree.Request(Source));

        Assert.Equal(new byte[] { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0 }, bytes[..8]);
    }

    [Fact]
    public void GZipStream_Optimal_IsDeterministic()
    {
        var data = SampleTree.RandomBytes(300_000, seed: 3).Concat(new byte[300_000]).ToArray();

        static byte[] Compress(byte[] input)
        {
            var output = new MemoryStream();
            using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
            {
                gzip.Write(input);
            }

            return output.ToArray();
        }

        var first = Compress(data);
        Thread.Sleep(1100);
        var second = Compress(data);

        Assert.Equal(first, second);
        Assert.Equal(new byte[4], first[4..8]);
    }

    [Fact]
    public async Task PackToFileAsync_OutputInsideSource_DoesNotPackItself()
    {
        SampleTree.Create(Source);
        var output = Path.Join(Source, "app.fsr");

        var first = await ArtifactPacker.PackToFileAsync(SampleTree.Request(Source), output);
        var second = await ArtifactPacker.PackToFileAsync(SampleTree.Request(Source), output);

        Assert.Equal(first.Sha256, second.Sha256);
        Assert.Equal(second.Sha256, await Sha256Hex.OfFileAsync(output));
        Assert.Equal(new FileInfo(output).Length, second.Size);
        Assert.DoesNotContain(second.Manifest.Files, f => f.Path.Contains("fsr", StringComparison.Ordinal));
        Assert.Equal(["app.fsr"], Directory.GetFiles(Source, "*fsr*", SearchOption.AllDirectories).Select(Path.GetFileName));
    }

    [Fact]
    public async Task PackToFileAsync_OutputInsideSourceNamedThroughSymlink_DoesNotPackItself()
    {
        SampleTree.Create(Source);
        var link = _temp.Combine("link-to-src");
        File.CreateSymbolicLink(link, Source);

        var result = await ArtifactPacker.PackToFileAsync(SampleTree.Request(link), Path.Join(link, "app.fsr"));

        Assert.DoesNotContain(result.Manifest.Files, f => f.Path.Contains("fsr", StringComparison.Ordinal));
        Assert.Equal(result.Sha256, await Sha256Hex.OfFileAsync(Path.Join(Source, "app.fsr")));
    }

    [Fact]
    public async Task PackToFileAsync_Refused_LeavesNoFileBehind()
    {
        SampleTree.Create(Source);
        File.CreateSymbolicLink(Path.Join(Source, "escape"), "/etc");
        var output = _temp.Combine("out/app.fsr");

        await Assert.ThrowsAsync<ArtifactException>(() => ArtifactPacker.PackToFileAsync(SampleTree.Request(Source), output));

        Assert.Empty(Directory.GetFileSystemEntries(_temp.Combine("out")));
    }

    [Theory]
    [InlineData("/etc", "absolute")]
    [InlineData("../../etc/passwd", "leaves the release directory")]
    [InlineData("../../outside", "leaves the release directory")]
    [InlineData("lib/../../x", "after a name")]
    public async Task PackAsync_SymlinkLeavingTheTree_IsRefusedNamingTheLink(string target, string problem)
    {
        SampleTree.Create(Source);
        File.CreateSymbolicLink(Path.Join(Source, "lib/escape"), target);

        var ex = await Assert.ThrowsAsync<ArtifactException>(() => PackAsync(SampleTree.Request(Source)));

        Assert.StartsWith("Symlink 'lib/escape' cannot be packed", ex.Message, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PackAsync_Fifo_IsRefusedNamingIt()
    {
        SampleTree.Create(Source);
        using (var mkfifo = Process.Start("mkfifo", Path.Join(Source, "lib/pipe")))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var ex = await Assert.ThrowsAsync<ArtifactException>(() => PackAsync(SampleTree.Request(Source)));

        Assert.Equal("Source entry 'lib/pipe' is a FIFO (named pipe); only files, directories and symlinks can be packed.", ex.Message);
    }

    [Fact]
    public async Task PackAsync_Socket_IsRefusedNamingIt()
    {
        SampleTree.Create(Source);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(Path.Join(Source, "app.sock")));

        var ex = await Assert.ThrowsAsync<ArtifactException>(() => PackAsync(SampleTree.Request(Source)));

        Assert.StartsWith("Source entry 'app.sock' is a socket", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PackAsync_BackslashInName_IsRefusedNamingIt()
    {
        SampleTree.Create(Source);
        _temp.WriteFile("src/lib/a\\b.txt", "x");

        var ex = await Assert.ThrowsAsync<ArtifactException>(() => PackAsync(SampleTree.Request(Source)));

        Assert.Equal("Source entry 'lib/a\\b.txt' cannot be packed: it contains a backslash.", ex.Message);
    }

    [Fact]
    public async Task PackAsync_InstalledManifestNameAtRoot_IsRefusedNamingIt()
    {
        SampleTree.Create(Source);
        _temp.WriteFile("src/" + ArtifactLayout.InstalledManifestName, "{}");

        var ex = await Assert.ThrowsAsync<ArtifactException>(() => PackAsync(SampleTree.Request(Source)));

        Assert.Equal(
            "Source entry '.failsafe-manifest.json' cannot be packed: its name is reserved at the release root for the manifest copy an installer keeps.",
            ex.Message);
    }

    [Fact]
    public async Task PackAsync_InstalledManifestNameBelowRoot_IsPacked()
    {
        SampleTree.Create(Source);
        _temp.WriteFile("src/lib/" + ArtifactLayout.InstalledManifestName, "{}");

        var (_, result) = await PackAsync(SampleTree.Request(Source));

        Assert.Contains(result.Manifest.Files, f => f.Path == "lib/" + ArtifactLayout.InstalledManifestName);
    }

    [Fact]
    public async Task PackAsync_MissingSource_SaysSo()
    {
        var ex = await Assert.ThrowsAsync<ArtifactException>(() => PackAsync(SampleTree.Request(_temp.Combine("nope"))));

        Assert.Contains("does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PackAsync_InvalidVersion_IsRefusedBeforeReading()
    {
        SampleTree.Create(Source);

        var ex = await Assert.ThrowsAsync<ArtifactException>(() => PackAsync(SampleTree.Request(Source) with { Version = "1.0 beta" }));

        Assert.StartsWith("Version '1.0 beta' is not valid", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PackAsync_SourceRootIsASymlink_PacksItsTarget()
    {
        SampleTree.Create(Source);
        var link = _temp.Combine("link-to-src");
        File.CreateSymbolicLink(link, Source);

        var (direct, _) = await PackAsync(SampleTree.Request(Source));
        var (viaLink, _) = await PackAsync(SampleTree.Request(link));

        Assert.Equal(direct, viaLink);
    }

    private static async Task<(byte[] Bytes, PackResult Result)> PackAsync(PackRequest request)
    {
        var output = new MemoryStream();
        var result = await ArtifactPacker.PackAsync(request, output);
        return (output.ToArray(), result);
    }
}
