using Failsafe.Tests.Common;

namespace Failsafe.DataPlane.Tests;

public sealed class CurrentLinkTests : IDisposable
{
    private const string ReleaseA = "1.0.0-aaaaaaaaaaaa";
    private const string ReleaseB = "2.0.0-bbbbbbbbbbbb";
    private readonly TempDirectory _temp = new("failsafe-dp");
    private readonly ServicePaths _service;

    public CurrentLinkTests()
    {
        _service = new HostPaths(_temp.Path).Service("web");
        _service.EnsureCreated();
        foreach (var release in new[] { ReleaseA, ReleaseB })
        {
            Directory.CreateDirectory(_service.ReleaseDirectory(release));
            File.WriteAllText(Path.Join(_service.ReleaseDirectory(release), "marker"), release);
        }
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Read_NoLink_ReturnsNull() => Assert.Null(CurrentLink.Read(_service));

    [Fact]
    public void Switch_CreatesRelativeLinkToRelease()
    {
        CurrentLink.Switch(_service, ReleaseA);

        Assert.Equal("releases/" + ReleaseA, new FileInfo(_service.Current).LinkTarget);
        Assert.Equal(ReleaseA, CurrentLink.Read(_service));
        Assert.Equal(ReleaseA, File.ReadAllText(Path.Join(_service.Current, "marker")));
    }

    [Fact]
    public void Switch_ThousandTimesWhileAReaderResolvesCurrent_ReaderNeverSeesItMissing()
    {
        CurrentLink.Switch(_service, ReleaseA);
        var stop = false;
        var reads = 0;
        var misses = new List<string>();
        var reader = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                try
                {
                    var marker = File.ReadAllText(Path.Join(_service.Current, "marker"));
                    if (marker is not (ReleaseA or ReleaseB))
                    {
                        misses.Add("read " + marker);
                    }

                    reads++;
                }
                catch (IOException e)
                {
                    misses.Add(e.Message);
                }
            }
        });
        reader.Start();

        for (var i = 0; i < 1000; i++)
        {
            CurrentLink.Switch(_service, i % 2 == 0 ? ReleaseB : ReleaseA);
        }

        Volatile.Write(ref stop, true);
        reader.Join();

        Assert.Empty(misses);
        Assert.True(reads > 100, $"the reader only managed {reads} reads");
        Assert.Equal(ReleaseA, CurrentLink.Read(_service));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_service.Directory, "current.tmp-*"));
    }

    [Fact]
    public void Switch_ToReleaseThatIsNotInstalled_ThrowsAndKeepsCurrent()
    {
        CurrentLink.Switch(_service, ReleaseA);

        Assert.Throws<InvalidOperationException>(() => CurrentLink.Switch(_service, "3.0.0-cccccccccccc"));
        Assert.Equal(ReleaseA, CurrentLink.Read(_service));
    }

    [Fact]
    public void Switch_NameWithPathSeparator_IsRefused() =>
        Assert.Throws<ArgumentException>(() => CurrentLink.Switch(_service, "../x-aaaaaaaaaaaa"));

    [Fact]
    public void Remove_DeletesOnlyTheLink()
    {
        CurrentLink.Switch(_service, ReleaseA);

        Assert.True(CurrentLink.Remove(_service));
        Assert.Null(CurrentLink.Read(_service));
        Assert.False(Path.Exists(_service.Current));
        Assert.True(File.Exists(Path.Join(_service.ReleaseDirectory(ReleaseA), "marker")));
        Assert.False(CurrentLink.Remove(_service));
    }

    [Fact]
    public void RemoveLeftovers_DeletesTemporaryLinksOfAnInterruptedSwitch()
    {
        CurrentLink.Switch(_service, ReleaseA);
        File.CreateSymbolicLink(Path.Join(_service.Directory, "current.tmp-0123456789ab"), "releases/" + ReleaseB);

        Assert.Equal(1, CurrentLink.RemoveLeftovers(_service));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_service.Directory, "current.tmp-*"));
        Assert.Equal(ReleaseA, CurrentLink.Read(_service));
    }
}
