namespace Failsafe.Demo;

/// <summary>Tells the story in plain words and keeps the score: every promise made is checked.</summary>
internal sealed class Narrator(TextWriter output)
{
    private readonly List<string> _broken = [];

    public IReadOnlyList<string> Broken => _broken;

    public void Chapter(string title)
    {
        output.WriteLine();
        output.WriteLine($"== {title}");
    }

    public void Say(string text) => output.WriteLine($"   {text}");

    public void Check(bool held, string promise)
    {
        if (held)
        {
            output.WriteLine($"   ✔ {promise}");
        }
        else
        {
            output.WriteLine($"   ✘ {promise}");
            _broken.Add(promise);
        }
    }
}
