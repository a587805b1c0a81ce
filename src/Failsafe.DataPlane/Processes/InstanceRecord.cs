using System.Text.Json;
using Failsafe.Contracts;

namespace Failsafe.DataPlane;

/// <summary>
/// What <c>.failsafe/instances/&lt;release&gt;.json</c> holds: enough for a restarted agent to find
/// (and kill, or adopt) an instance a previous agent started.
/// </summary>
internal sealed record InstanceRecord(string Service, string Release, int Pid, int Port, long StartTimeTicks, DateTimeOffset StartedAt)
{
    public void Write(ServicePaths service) =>
        DurableFile.WriteAllText(service.InstanceFile(Release), JsonSerializer.Serialize(this, FailsafeJson.Options));

    public static void Delete(ServicePaths service, string release)
    {
        try
        {
            File.Delete(service.InstanceFile(release));
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Every readable record of a service; unreadable files are deleted (they cannot be acted on).</summary>
    public static IReadOnlyList<InstanceRecord> ReadAll(ServicePaths service)
    {
        if (!Directory.Exists(service.Instances))
        {
            return [];
        }

        var records = new List<InstanceRecord>();
        foreach (var path in Directory.EnumerateFiles(service.Instances, "*.json"))
        {
            try
            {
                if (JsonSerializer.Deserialize<InstanceRecord>(File.ReadAllText(path), FailsafeJson.Options) is { Pid: > 0 } record)
                {
                    records.Add(record);
                    continue;
                }
            }
            catch (JsonException)
            {
            }

            File.Delete(path);
        }

        return records;
    }
}
