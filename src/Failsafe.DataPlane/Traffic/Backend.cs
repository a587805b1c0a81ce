namespace Failsafe.DataPlane.Traffic;

/// <summary>One running instance of a service version, listening on a private port on 127.0.0.1.</summary>
/// <param name="Version">The version it runs, sent back to clients in the X-Failsafe-Version response header.</param>
/// <param name="Release">The release (version + id) it was started from.</param>
/// <param name="Port">Its private port.</param>
internal sealed record Backend(string Version, string Release, int Port);
