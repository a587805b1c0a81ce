using System.Net;
using Failsafe.Contracts;
using Failsafe.ControlPlane.Tests.Infrastructure;
using Failsafe.Tests.Common;

namespace Failsafe.ControlPlane.Tests;

public sealed class PushTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new("fs-push");
    private readonly TempDirectory _work = new("fs-push-work");
    private TestServer _server = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(_data.Path);
        _admin = _server.Admin();
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _server.DisposeAsync();
        _data.Dispose();
        _work.Dispose();
    }

    [Fact]
    public async Task Push_NewReleaseLargerThanDefaultBodyLimit_Is201_BlobOnDiskUnderItsHash_NotInDatabase()
    {
        var (path, packed) = await TestArtifacts.PackAsync(_work, "hello", "1.2.0", randomBytes: 31 << 20);
        using var response = await _admin.PushAsync("hello", "1.2.0", path, packed.Sha256);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var info = await response.ReadAsync<ReleaseInfo>();
        Assert.True(info.Created);
        Assert.Equal(packed.Sha256, info.Sha256);
        Assert.Equal(new FileInfo(path).Length, info.Size);
        Assert.Equal("admin", info.PushedBy);

        var blob = _data.Combine($"blobs/sha256/{packed.Sha256[..2]}/{packed.Sha256}");
        Assert.Equal(await File.ReadAllBytesAsync(path), await File.ReadAllBytesAsync(blob));
        var databaseBytes = Directory.EnumerateFiles(_data.Path, "failsafe.db*").Sum(f => new FileInfo(f).Length);
        Assert.True(databaseBytes < info.Size / 2, $"database files hold {databaseBytes} bytes for a {info.Size}-byte artifact");
        Assert.Empty(Directory.EnumerateFiles(_data.Combine("blobs/tmp")));

        var listed = Assert.Single(await _admin.GetJsonAsync<List<ReleaseInfo>>(ApiRoutes.Releases + "?service=hello"));
        Assert.Equal(("1.2.0", packed.Sha256), (listed.Version, listed.Sha256));
        var pushed = Assert.Single(await _admin.GetJsonAsync<List<EventInfo>>(ApiRoutes.Events + "?target=hello/1.2.0"));
        Assert.Equal(("admin", "release.push", "ok"), (pushed.Actor, pushed.Action, pushed.Result));
        Assert.Equal("127.0.0.1", pushed.RemoteAddress);
    }

    [Fact]
    public async Task Push_SameBytesAgain_Is200NoOp()
    {
        var (path, _) = await TestArtifacts.PackAsync(_work, "hello", "1.2.0");
        (await _admin.PushAsync("hello", "1.2.0", path)).EnsureSuccessStatusCode();
        using var again = await _admin.PushAsync("hello", "1.2.0", path);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.False((await again.ReadAsync<ReleaseInfo>()).Created);
        Assert.Single(await _admin.GetJsonAsync<List<EventInfo>>(ApiRoutes.Events + "?target=hello/1.2.0"));
    }

    [Fact]
    public async Task Push_SameVersionOtherBytes_Is409_NamingTheKeptHash()
    {
        var (first, packed) = await TestArtifacts.PackAsync(_work, "hello", "1.2.0", salt: "a");
        var (second, _) = await TestArtifacts.PackAsync(_work, "hello", "1.2.0", salt: "b");
        (await _admin.PushAsync("hello", "1.2.0", first)).EnsureSuccessStatusCode();
        using var conflict = await _admin.PushAsync("hello", "1.2.0", second);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal(
            $"Release hello 1.2.0 already exists with a different artifact (sha256 {packed.Sha256[..12]}…); versions are immutable: push a new version.",
            (await conflict.ReadErrorAsync()).Error);
    }

    [Fact]
    public async Task Push_CorruptArtifact_Is400_AndKeepsNothing()
    {
        var path = _work.WriteFile("junk.fsr", "this is not a gzip tar");
        using var response = await _admin.PushAsync("hello", "1.2.0", path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("The artifact is not valid: ", (await response.ReadErrorAsync()).Error, StringComparison.Ordinal);
        Assert.Empty(await _admin.GetJsonAsync<List<ReleaseInfo>>(ApiRoutes.Releases));
        Assert.Empty(Directory.EnumerateFiles(_data.Combine("blobs"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Push_ManifestOfAnotherVersion_Is400()
    {
        var (path, _) = await TestArtifacts.PackAsync(_work, "hello", "1.2.0");
        using var response = await _admin.PushAsync("hello", "1.3.0", path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("The artifact holds hello 1.2.0 but was pushed as hello 1.3.0.", (await response.ReadErrorAsync()).Error);
    }

    [Fact]
    public async Task Push_ShaHeaderMismatch_Is400()
    {
        var (path, _) = await TestArtifacts.PackAsync(_work, "hello", "1.2.0");
        using var response = await _admin.PushAsync("hello", "1.2.0", path, new string('0', 64));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("was damaged on the way", (await response.ReadErrorAsync()).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_InvalidServiceName_Is400WithRule()
    {
        var (path, _) = await TestArtifacts.PackAsync(_work, "hello", "1.2.0");
        using var response = await _admin.PushAsync("Bad Name", "1.2.0", path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace((await response.ReadErrorAsync()).Error));
    }
}
