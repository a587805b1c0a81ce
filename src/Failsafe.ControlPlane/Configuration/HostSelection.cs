using Failsafe.Contracts;
using Failsafe.ControlPlane.Storage;

namespace Failsafe.ControlPlane.Configuration;

/// <summary>Which enrolled hosts an environment reaches: those it names, and the members of its host groups (by name or by
/// the tags an agent was started with).</summary>
internal static class HostSelection
{
    public static IReadOnlyList<string> TagsOf(AgentRecord agent) => agent.Inventory?.Tags ?? [];

    public static IEnumerable<HostGroupConfig> GroupsOf(ConfigDocument document, AgentRecord agent) =>
        document.HostGroups.Where(g => g.Hosts.Contains(agent.Name) || g.Tags.Intersect(TagsOf(agent)).Any());

    public static IEnumerable<EnvironmentConfig> EnvironmentsOf(ConfigDocument document, AgentRecord agent)
    {
        var groups = GroupsOf(document, agent).Select(g => g.Name).ToHashSet(StringComparer.Ordinal);
        return document.Environments.Where(e => e.Hosts.Contains(agent.Name) || e.HostGroups.Any(groups.Contains));
    }

    /// <summary>The environment's hosts in deployment order: the hosts it names as listed, then each host group's
    /// named hosts as listed, then the group's tagged hosts by name. The first is the canary.</summary>
    public static List<AgentRecord> Select(ConfigDocument document, EnvironmentConfig environment, List<AgentRecord> agents)
    {
        var byName = agents.ToDictionary(a => a.Name, StringComparer.Ordinal);
        var order = new List<string>(environment.Hosts);
        foreach (var group in document.HostGroups.Where(g => environment.HostGroups.Contains(g.Name)).OrderBy(g => environment.HostGroups.ToList().IndexOf(g.Name)))
        {
            order.AddRange(group.Hosts);
            order.AddRange(agents.Where(a => group.Tags.Intersect(TagsOf(a)).Any()).Select(a => a.Name));
        }

        return order.Distinct(StringComparer.Ordinal).Where(byName.ContainsKey).Select(n => byName[n]).ToList();
    }
}
