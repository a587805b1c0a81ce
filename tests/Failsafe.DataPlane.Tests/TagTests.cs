using Failsafe.Tests.Common;

namespace Failsafe.DataPlane.Tests;

public sealed class TagTests
{
    [Fact]
    public void AddTags_RepeatedAndCommaSeparated_KeepsEachOnceInOrder()
    {
        var options = new AgentOptions();

        options.AddTags(["prod", "eu, web", "prod"]);

        Assert.Equal(["prod", "eu", "web"], options.Tags);
    }

    [Fact]
    public void Validate_TagNotLowercaseNameLike_FailsWithOneSentence()
    {
        var options = new AgentOptions();
        options.AddTags(["prod", "Eu_1"]);

        var result = new AgentOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(
            ["Tag 'Eu_1' is not valid: use 1 to 63 lowercase letters, digits, '-', '_' or '.', starting with a letter or digit."],
            result.Failures);
    }

    [Fact]
    public async Task Inventory_CarriesTheAgentsTags()
    {
        using var temp = new TempDirectory("failsafe-dp");
        await using var agent = new AgentHarness(temp.Combine("root"), tags: ["prod", "eu"]);

        Assert.Equal(["prod", "eu"], agent.Inventory.Read().Tags);
    }
}
