using Failsafe.Tests.Common;

namespace Failsafe.DataPlane.Tests;

public sealed class RetentionTests : IDisposable
{
    private readonly TempDirectory _temp = new("failsafe-dp");
    private readonly ServicePaths _service;

    public RetentionTests()
    {
        _service = new HostPaths(_temp.Path).Service("web");
        _service.EnsureCreated();
    }

    public void Dispose() => _temp.Dispose();

    // Release i was installed i minutes after the first: 1 is the oldest.
    private string[] InstallReleases(int count)
    {
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var names = new string[count];
        for (var i = 1; i <= count; i++)
        {
            var name = $"1.0.{i}-{i:x12}";
            Directory.CreateDirectory(_service.ReleaseDirectory(name));
            File.WriteAllText(_service.ManifestFile(name), "{}");
            File.SetLastWriteTimeUtc(_service.ManifestFile(name), start.AddMinutes(i));
            names[i - 1] = name;
        }

        return names;
    }

    private IEnumerable<string> Remaining() =>
        Directory.EnumerateDirectories(_service.Releases).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal);

    [Fact]
    public void Apply_MoreThanKept_RemovesTheOldest()
    {
        var r = InstallReleases(5);
        CurrentLink.Switch(_service, r[4]);

        var removed = Retention.Apply(_service, keep: 2, new HashSet<string>());

        Assert.Equal([r[2], r[1], r[0]], removed);
        Assert.Equal([r[3], r[4]], Remaining());
    }

    [Fact]
    public void Apply_NeverRemovesCurrentNorPrevious_EvenWhenTheyAreTheOldest()
    {
        var r = InstallReleases(6);
        CurrentLink.Switch(_service, r[0]);
        PreviousRelease.Write(_service, r[1]);

        Retention.Apply(_service, keep: 2, new HashSet<string>());

        Assert.Equal([r[0], r[1], r[4], r[5]], Remaining());
    }

    [Fact]
    public void Apply_NeverRemovesAReleaseInUse()
    {
        var r = InstallReleases(4);
        CurrentLink.Switch(_service, r[3]);

        Retention.Apply(_service, keep: 1, new HashSet<string> { r[0] });

        Assert.Equal([r[0], r[3]], Remaining());
    }

    [Fact]
    public void Apply_FewerThanKept_RemovesNothing()
    {
        var r = InstallReleases(3);

        Assert.Empty(Retention.Apply(_service, keep: 5, new HashSet<string>()));
        Assert.Equal(r, Remaining());
    }

    [Fact]
    public void Apply_IgnoresStagingAndLeavesNoneBehind()
    {
        var r = InstallReleases(3);
        CurrentLink.Switch(_service, r[2]);

        Retention.Apply(_service, keep: 1, new HashSet<string>());

        Assert.Equal([r[2]], Remaining());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_service.Releases, ".staging-*"));
    }

    [Fact]
    public void InstalledNewestFirst_OrdersByInstallTimeNotByName()
    {
        var r = InstallReleases(3);
        File.SetLastWriteTimeUtc(_service.ManifestFile(r[0]), new DateTime(2027, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        Assert.Equal([r[0], r[2], r[1]], Retention.InstalledNewestFirst(_service));
    }
}
