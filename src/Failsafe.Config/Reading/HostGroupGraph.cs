using Failsafe.Contracts;

namespace Failsafe.Config.Reading;

/// <summary>Host groups that include other groups: reports unknown names and cycles, and flattens the members.</summary>
internal static class HostGroupGraph
{
    public static SortedDictionary<string, HostGroupConfig> Flatten(SortedDictionary<string, GroupDraft> groups)
    {
        foreach (var group in groups.Values)
        {
            foreach (var include in group.Include.Where(i => !groups.ContainsKey(i.Name)))
            {
                include.Report(Sentences.HostGroupInclude(group.Name, include.Name));
            }
        }

        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        foreach (var name in groups.Keys)
        {
            FindCycles(name, groups, path, done);
        }

        var flat = new SortedDictionary<string, HostGroupConfig>(StringComparer.Ordinal);
        foreach (var group in groups.Values)
        {
            var reached = new HashSet<string>(StringComparer.Ordinal);
            Reach(group.Name, groups, reached);
            var members = reached.Select(r => groups[r]).ToList();
            flat.Add(group.Name, new HostGroupConfig(
                group.Name,
                members.SelectMany(m => m.Hosts).Distinct().Order(StringComparer.Ordinal).ToList(),
                members.SelectMany(m => m.Tags).Distinct().Order(StringComparer.Ordinal).ToList()));
        }

        return flat;
    }

    private static void FindCycles(string name, SortedDictionary<string, GroupDraft> groups, List<string> path, HashSet<string> done)
    {
        if (done.Contains(name))
        {
            return;
        }

        path.Add(name);
        foreach (var include in groups[name].Include.Where(i => groups.ContainsKey(i.Name)))
        {
            var back = path.IndexOf(include.Name);
            if (back >= 0)
            {
                include.Report($"host groups include each other: {string.Join(" → ", path[back..].Append(include.Name))}");
            }
            else
            {
                FindCycles(include.Name, groups, path, done);
            }
        }

        path.RemoveAt(path.Count - 1);
        done.Add(name);
    }

    private static void Reach(string name, SortedDictionary<string, GroupDraft> groups, HashSet<string> reached)
    {
        if (!groups.ContainsKey(name) || !reached.Add(name))
        {
            return;
        }

        foreach (var include in groups[name].Include)
        {
            Reach(include.Name, groups, reached);
        }
    }
}
