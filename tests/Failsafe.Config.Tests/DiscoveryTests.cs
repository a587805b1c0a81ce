namespace Failsafe.Config.Tests;

public sealed class DiscoveryTests
{
    private const string Service = "service: {0}\nrun:\n  entry: x\nenvironments: [prod]\n";

    [Fact]
    public void Load_Folder_FindsServicesBelowAndSkipsBuildOutputAndHiddenFolders()
    {
        using var tree = new ConfigTree()
            .With("failsafe.yaml", string.Format(null, Service, "root"))
            .With("services/api/failsafe.yaml", string.Format(null, Service, "api"))
            .With("services/api/bin/failsafe.yaml", "not: [valid")
            .With("services/api/obj/failsafe.yaml", "not: [valid")
            .With(".git/failsafe.yaml", "not: [valid")
            .With("web/node_modules/x/failsafe.yaml", "not: [valid")
            .With(".hidden/failsafe.yaml", "not: [valid")
            .With("services/api/other.yaml", "not: [valid");

        var result = tree.Load();

        Assert.Empty(result.Errors);
        Assert.False(result.IncludesFleet);
        Assert.Equal(["failsafe.yaml", "services/api/failsafe.yaml"], result.Files);
        Assert.Equal(["api", "root"], result.Document.Services.Select(s => s.Name));
    }

    [Fact]
    public void Load_FleetSpreadOverFiles_MergesThem()
    {
        using var tree = new ConfigTree()
            .With("failsafe.fleet.yaml", "lifecycles:\n  default: [staging, prod]\n")
            .With("fleet/environments.yaml", "environments:\n  prod:\n    host-groups: [web]\n  staging: {}\n")
            .With("fleet/groups.yml", "host-groups:\n  web:\n    tags: [web]\n")
            .With("fleet/readme.txt", "not yaml at all: [")
            .With("app/failsafe.yaml", string.Format(null, Service, "app"));

        var result = tree.Load();

        Assert.Empty(result.Errors);
        Assert.True(result.IncludesFleet);
        Assert.Equal(["app/failsafe.yaml", "failsafe.fleet.yaml", "fleet/environments.yaml", "fleet/groups.yml"], result.Files);
        Assert.Equal(["prod", "staging"], result.Document.Environments.Select(e => e.Name));
        Assert.Equal(["web"], result.Document.HostGroups.Select(g => g.Name));
        Assert.Equal(["default"], result.Document.Lifecycles.Select(l => l.Name));
    }

    [Fact]
    public void Load_SingleFileWithoutServiceKey_IsAFleetFile()
    {
        using var tree = new ConfigTree().With("my-fleet.yaml", "environments:\n  prod: {}\n");

        var result = tree.Load("my-fleet.yaml");

        Assert.Empty(result.Errors);
        Assert.True(result.IncludesFleet);
        Assert.Equal(["prod"], result.Document.Environments.Select(e => e.Name));
    }

    [Fact]
    public void Load_FolderWithoutConfig_SaysWhatItLookedFor()
    {
        using var tree = new ConfigTree().With("readme.md", "hi");

        var error = Assert.Single(tree.Load().Errors);

        Assert.Equal($".:1:1: path: found no failsafe.yaml, failsafe.fleet.yaml or fleet/*.yaml in {tree.Path}/.", error.ToString());
    }

    [Fact]
    public void Load_MissingPath_SaysSo()
    {
        using var tree = new ConfigTree();

        Assert.Equal([$"{tree.Path}/nope:1:1: path: no such file or folder"], tree.Errors("nope"));
    }
}
