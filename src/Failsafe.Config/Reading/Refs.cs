using Failsafe.Config.Validation;

namespace Failsafe.Config.Reading;

/// <summary>A name written in a file that must match something defined elsewhere (maybe in another file).</summary>
internal sealed record Ref(FileReport File, Node Node)
{
    public string Name => Node.Text;

    public void Report(string message) => File.Add(Node.At, Node.Field, message);

    public string Where => $"{File.File}:{Node.At}";
}

/// <summary>Something defined under a name, with where the name was written (to name both places of a duplicate).</summary>
internal sealed record Defined<T>(T Value, Ref Name);
