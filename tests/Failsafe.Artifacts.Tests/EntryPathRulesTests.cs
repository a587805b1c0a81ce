namespace Failsafe.Artifacts.Tests;

public sealed class EntryPathRulesTests
{
    [Theory]
    [InlineData("a", null)]
    [InlineData("a/b/c.txt", null)]
    [InlineData(".env", null)]
    [InlineData("..data", null)]
    [InlineData("", "empty name")]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("a/../b", "leaves the release directory")]
    [InlineData("..", "leaves the release directory")]
    [InlineData("a\\b", "backslash")]
    [InlineData("a\0b", "NUL")]
    [InlineData("a//b", "empty or '.'")]
    [InlineData("./a", "empty or '.'")]
    [InlineData("a/", "empty or '.'")]
    public void ProblemWithRelativePath_RefusesUnsafePaths(string path, string? problem) =>
        AssertProblem(problem, EntryPathRules.ProblemWithRelativePath(path));

    [Theory]
    [InlineData("files/a", null)]
    [InlineData("failsafe-manifest.json", "not under 'files/'")]
    [InlineData("other/a", "not under 'files/'")]
    [InlineData("files/", "empty or '.'")]
    [InlineData("files/../../etc/passwd", "leaves the release directory")]
    [InlineData("files/.failsafe-manifest.json", "reserved")]
    [InlineData("files/lib/.failsafe-manifest.json", null)]
    [InlineData("files/.failsafe-manifest.json.bak", null)]
    public void ProblemWithEntryName_RequiresFilesPrefix(string name, string? problem) =>
        AssertProblem(problem, EntryPathRules.ProblemWithEntryName(name));

    [Theory]
    [InlineData("link", "target", null)]
    [InlineData("link", "./a/b", null)]
    [InlineData("a/link", "..", null)]
    [InlineData("a/b/link", "../../c", null)]
    [InlineData("a/link", "../b/./c/", null)]
    [InlineData("link", "..", "leaves the release directory")]
    [InlineData("a/link", "../../x", "leaves the release directory")]
    [InlineData("link", "/etc/passwd", "absolute")]
    [InlineData("link", "a/../b", "after a name")]
    [InlineData("a/b/link", "../x/../../..", "after a name")]
    [InlineData("link", "", "without a target")]
    [InlineData("link", null, "without a target")]
    [InlineData("link", "a\\b", "backslash")]
    public void ProblemWithLinkTarget_KeepsLinksInside(string link, string? target, string? problem) =>
        AssertProblem(problem, EntryPathRules.ProblemWithLinkTarget(link, target));

    private static void AssertProblem(string? expectedFragment, string? actual)
    {
        if (expectedFragment is null)
        {
            Assert.Null(actual);
        }
        else
        {
            Assert.NotNull(actual);
            Assert.Contains(expectedFragment, actual, StringComparison.Ordinal);
        }
    }
}
