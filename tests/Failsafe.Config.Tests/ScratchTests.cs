using Xunit.Abstractions;

namespace Failsafe.Config.Tests;

public sealed class ScratchTests(ITestOutputHelper output)
{
    [Fact]
    public void Scratch()
    {
        using var tree = new ConfigTree().With("failsafe.yaml", Samples.Service).With("failsafe.fleet.yaml", Samples.Fleet);
        var r = tree.Load();
        foreach (var e in r.Errors) output.WriteLine(e.ToString());
        output.WriteLine(System.Text.Json.JsonSerializer.Serialize(r.Document, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }
}
