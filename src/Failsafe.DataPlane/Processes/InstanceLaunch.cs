namespace Failsafe.DataPlane;

/// <summary>Everything needed to (re)start one instance of a release. <see cref="EntryCommand"/> has its variables substituted already.</summary>
internal sealed record InstanceLaunch(
    string Service,
    string Version,
    string Release,
    string ReleaseDirectory,
    string SharedDirectory,
    string LogFile,
    string EntryCommand,
    int Port,
    ReleaseVariables Variables);
