namespace Failsafe.ControlPlane.Storage;

/// <summary>Who made a change and from where, for the audit trail.</summary>
internal sealed record Actor(string Name, string? RemoteAddress)
{
    public static Actor System { get; } = new("system", null);
}
