using Failsafe.Artifacts.Tests.Support;

namespace Failsafe.Artifacts.Tests;

public sealed class ManifestJsonTests
{
    private static ReleaseManifest Valid() => new ArtifactBuilder()
        .Directory("bin")
        .File("bin/run.sh", "#!/bin/sh\n", "0755")
        .Symlink("current", "bin/run.sh")
        .Directory("empty", "0700")
        .Manifest;

    [Fact]
    public void Serialize_ThenDeserialize_GivesTheSameManifest()
    {
        var manifest = Valid();
        var json = ManifestJson.Serialize(manifest);

        var back = ManifestJson.Deserialize(json, "test");

        Assert.Equal(json, ManifestJson.Serialize(back));
        Assert.Equal(manifest.CreatedAt, back.CreatedAt);
        Assert.Equal(manifest.Files, back.Files);
        Assert.Equal(manifest.Hooks, back.Hooks);
        Assert.Equal(manifest.HealthCheck, back.HealthCheck);
    }

    [Fact]
    public void Serialize_UsesCamelCaseAndLeavesOutNulls()
    {
        var json = ManifestJson.Serialize(Valid());

        Assert.Contains("\"totalSize\": 10", json, StringComparison.Ordinal);
        Assert.Contains("\"entryCount\": 4", json, StringComparison.Ordinal);
        Assert.Contains("\"linkTarget\": \"bin/run.sh\"", json, StringComparison.Ordinal);
        Assert.Contains("\"mode\": \"0755\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        Assert.Contains('\n', json);
    }

    [Fact]
    public void Deserialize_NotJson_NamesTheSource()
    {
        var ex = Assert.Throws<ArtifactException>(() => ManifestJson.Deserialize("{ not json", "app.fsr"));
        Assert.StartsWith("The manifest in 'app.fsr' is not valid:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_MissingProperty_IsRefused()
    {
        var json = ManifestJson.Serialize(Valid()).Replace("\"entryCount\"", "\"somethingElse\"", StringComparison.Ordinal);
        var ex = Assert.Throws<ArtifactException>(() => ManifestJson.Deserialize(json, "app.fsr"));
        Assert.Contains("entryCount", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("formatVersion", "Manifest field 'formatVersion'")]
    [InlineData("service", "Service name 'Bad Name'")]
    [InlineData("version", "Version '1 2'")]
    [InlineData("entryCommand", "Manifest field 'entryCommand'")]
    [InlineData("healthPath", "Manifest field 'healthCheck.path'")]
    [InlineData("hookName", "Manifest field 'hooks' has hook 'post-deploy'")]
    [InlineData("totalSize", "Manifest field 'totalSize'")]
    [InlineData("entryCount", "Manifest field 'entryCount'")]
    [InlineData("order", "Manifest entry 'current' is refused: it is listed after 'empty'")]
    [InlineData("parent", "Manifest entry 'bin/run.sh' is refused: its parent 'bin' is not listed")]
    [InlineData("mode", "Manifest entry 'bin/run.sh' is refused: its mode '4755'")]
    [InlineData("sha", "Manifest entry 'bin/run.sh' is refused: it needs a SHA-256")]
    [InlineData("negativeSize", "Manifest entry 'bin/run.sh' is refused: its size -1")]
    [InlineData("type", "Manifest entry 'empty' is refused: its type 'fifo'")]
    [InlineData("link", "Manifest entry 'current' is refused: its link target '../x' leaves the release directory")]
    [InlineData("path", "Manifest entry '../x' is refused: it leaves the release directory")]
    public void Deserialize_BrokenManifest_NamesTheField(string broken, string expected)
    {
        var m = Valid();
        var files = m.Files.ToList();
        var run = files.FindIndex(f => f.Path == "bin/run.sh");
        m = broken switch
        {
            "formatVersion" => m with { FormatVersion = 2 },
            "service" => m with { Service = "Bad Name" },
            "version" => m with { Version = "1 2" },
            "entryCommand" => m with { EntryCommand = " " },
            "healthPath" => m with { HealthCheck = new HealthCheckSpec("healthz") },
            "hookName" => m with { Hooks = [new HookSpec("post-deploy", "x")] },
            "totalSize" => m with { TotalSize = m.TotalSize + 1 },
            "entryCount" => m with { EntryCount = 99 },
            "order" => m with { Files = [.. files.OrderByDescending(f => f.Path, StringComparer.Ordinal)] },
            "parent" => m with { Files = [.. files.Where(f => f.Path != "bin")], EntryCount = 3 },
            "mode" => Replace(m, files, run, files[run] with { Mode = "4755" }),
            "sha" => Replace(m, files, run, files[run] with { Sha256 = "ABC" }),
            "negativeSize" => Replace(m, files, run, files[run] with { Size = -1 }),
            "type" => Replace(m, files, files.FindIndex(f => f.Path == "empty"), files.Single(f => f.Path == "empty") with { Type = "fifo" }),
            "link" => Replace(m, files, files.FindIndex(f => f.Path == "current"), files.Single(f => f.Path == "current") with { LinkTarget = "../x" }),
            "path" => m with { Files = [new ManifestEntry("../x", EntryTypes.Directory, 0, "0755", null), .. files], EntryCount = 5 },
            _ => throw new ArgumentOutOfRangeException(nameof(broken)),
        };

        var ex = Assert.Throws<ArtifactException>(() => ManifestJson.Deserialize(ManifestJson.Serialize(m), "test"));
        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
    }

    private static ReleaseManifest Replace(ReleaseManifest m, List<ManifestEntry> files, int index, ManifestEntry entry)
    {
        files[index] = entry;
        return m with { Files = files, TotalSize = files.Sum(f => f.Size) };
    }
}
