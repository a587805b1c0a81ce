using Failsafe.Artifacts;

namespace Failsafe.Artifacts.Tests;

public sealed class NameRulesTests
{
    [Theory]
    [InlineData("1.4.2", true)]
    [InlineData("1.0.0-rc.1+build.5", true)]
    [InlineData("2024_05_01", true)]
    [InlineData("v7", true)]
    [InlineData("a", true)]
    [InlineData("1..2", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData(".hidden", false)]
    [InlineData("-rc", false)]
    [InlineData("1.4 2", false)]
    [InlineData("1/2", false)]
    [InlineData("..", false)]
    [InlineData("1.4.2\n", false)]
    [InlineData("versión", false)]
    [InlineData("a$b", false)]
    public void ReleaseVersion_IsValid_FollowsTheRules(string? version, bool valid) =>
        Assert.Equal(valid, ReleaseVersion.IsValid(version));

    [Fact]
    public void ReleaseVersion_Length_AllowsAtMost128()
    {
        Assert.True(ReleaseVersion.IsValid(new string('1', 128)));
        Assert.False(ReleaseVersion.IsValid(new string('1', 129)));
    }

    [Fact]
    public void ReleaseVersion_Validate_ExplainsTheRule()
    {
        var ex = Assert.Throws<ArtifactException>(() => ReleaseVersion.Validate("x y"));
        Assert.Equal("Version 'x y' is not valid: use letters, digits and . - + _ (semver recommended, e.g. 1.4.2).", ex.Message);
    }

    [Theory]
    [InlineData("billing-api", true)]
    [InlineData("a", true)]
    [InlineData("web2", true)]
    [InlineData("a-1-b", true)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("Billing", false)]
    [InlineData("1web", false)]
    [InlineData("-web", false)]
    [InlineData("web_api", false)]
    [InlineData("web.api", false)]
    [InlineData("web api", false)]
    [InlineData("wéb", false)]
    public void ServiceName_IsValid_FollowsTheRules(string? name, bool valid) =>
        Assert.Equal(valid, ServiceName.IsValid(name));

    [Fact]
    public void ServiceName_Length_AllowsAtMost63()
    {
        Assert.True(ServiceName.IsValid(new string('a', 63)));
        Assert.False(ServiceName.IsValid(new string('a', 64)));
    }

    [Fact]
    public void ServiceName_Validate_NamesTheValue()
    {
        var ex = Assert.Throws<ArtifactException>(() => ServiceName.Validate("Billing"));
        Assert.StartsWith("Service name 'Billing' is not valid", ex.Message, StringComparison.Ordinal);
    }
}
