using System.Collections;

namespace Failsafe.Config.Writing;

/// <summary>
/// A YAML mapping in the order its keys are written. Each value is a string (a scalar, kept as written), a list of
/// strings, or another <see cref="YamlMap"/>.
/// </summary>
public sealed class YamlMap : IEnumerable<KeyValuePair<string, object>>
{
    private readonly List<KeyValuePair<string, object>> entries = [];

    public int Count => entries.Count;

    /// <summary>Adds the key unless the value is null: an absent value is an absent key.</summary>
    public void Add(string key, object? value)
    {
        if (value is not null)
        {
            entries.Add(new(key, value));
        }
    }

    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
