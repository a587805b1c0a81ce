using Failsafe.Artifacts.Tests.Support;

namespace Failsafe.Artifacts.Tests;

public sealed class PackingInternalsTests
{
    private static readonly DateTimeOffset Older = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Newer = new(2024, 6, 1, 10, 20, 30, 999, TimeSpan.Zero);

    private static SourceEntry Entry(string type, DateTimeOffset mtime) =>
        new("p", "/p", type, 0, UnixFileMode.UserRead, null, mtime);

    [Fact]
    public void CreatedAt_Requested_WinsAndIsTruncatedToUtcSeconds()
    {
        var requested = new DateTimeOffset(2025, 3, 4, 5, 6, 7, 890, TimeSpan.FromHours(2));

        var createdAt = CreatedAtPolicy.Resolve(requested, "123", [Entry(EntryTypes.File, Newer)]);

        Assert.Equal(new DateTimeOffset(2025, 3, 4, 3, 6, 7, TimeSpan.Zero), createdAt);
        Assert.Equal(TimeSpan.Zero, createdAt.Offset);
    }

    [Fact]
    public void CreatedAt_SourceDateEpoch_IsUsedWhenNothingRequested() =>
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), CreatedAtPolicy.Resolve(null, "1700000000", [Entry(EntryTypes.File, Newer)]));

    [Theory]
    [InlineData("yesterday")]
    [InlineData("-5")]
    [InlineData("1.5")]
    public void CreatedAt_SourceDateEpochNotANumber_IsRefused(string value)
    {
        var ex = Assert.Throws<ArtifactException>(() => CreatedAtPolicy.Resolve(null, value, []));
        Assert.StartsWith($"SOURCE_DATE_EPOCH '{value}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreatedAt_Default_IsNewestFileOrLinkMtimeIgnoringDirectories()
    {
        var entries = new[] { Entry(EntryTypes.File, Older), Entry(EntryTypes.Symlink, Newer), Entry(EntryTypes.Directory, Newer.AddDays(1)) };

        Assert.Equal(new DateTimeOffset(2024, 6, 1, 10, 20, 30, TimeSpan.Zero), CreatedAtPolicy.Resolve(null, null, entries));
    }

    [Fact]
    public void CreatedAt_NoFiles_IsTheUnixEpoch() =>
        Assert.Equal(DateTimeOffset.UnixEpoch, CreatedAtPolicy.Resolve(null, "", [Entry(EntryTypes.Directory, Newer)]));

    [Fact]
    public void SourceFileStream_FileShrank_Throws()
    {
        using var stream = new SourceFileStream(new MemoryStream(new byte[5]), "a.txt", 10, "");

        var ex = Assert.Throws<ArtifactException>(() => stream.CopyTo(Stream.Null));

        Assert.Equal("Source file 'a.txt' changed while it was being packed; pack again.", ex.Message);
    }

    [Fact]
    public void SourceFileStream_FileGrew_FailsVerification()
    {
        var content = SampleTree.RandomBytes(20, seed: 1);
        using var stream = new SourceFileStream(new MemoryStream(content), "a.txt", 10, Sha256Hex.Of(content.AsSpan(0, 10)));

        stream.CopyTo(Stream.Null);

        Assert.Equal(10, stream.Position);
        Assert.Throws<ArtifactException>(stream.VerifyComplete);
    }

    [Fact]
    public void SourceFileStream_ContentChanged_FailsVerification()
    {
        using var stream = new SourceFileStream(new MemoryStream(new byte[10]), "a.txt", 10, Sha256Hex.Of(new byte[] { 1, 2, 3 }));

        stream.CopyTo(Stream.Null);

        Assert.Throws<ArtifactException>(stream.VerifyComplete);
    }

    [Fact]
    public void SourceFileStream_Unchanged_Verifies()
    {
        var content = SampleTree.RandomBytes(10, seed: 2);
        using var stream = new SourceFileStream(new MemoryStream(content), "a.txt", 10, Sha256Hex.Of(content));

        stream.CopyTo(Stream.Null);
        stream.VerifyComplete();

        Assert.Equal(10, stream.Length);
    }

    [Fact]
    public void ExtractionBudget_PastEitherLimit_NamesTheEntry()
    {
        var budget = new ExtractionBudget(maxBytes: 10, maxEntries: 2);
        budget.CountEntry("files/a");
        budget.CountEntry("files/b");
        budget.CountBytes("files/b", 10);

        Assert.Contains("files/c", Assert.Throws<ArtifactException>(() => budget.CountEntry("files/c")).Message, StringComparison.Ordinal);
        Assert.Contains("files/b", Assert.Throws<ArtifactException>(() => budget.CountBytes("files/b", 1)).Message, StringComparison.Ordinal);
    }
}
