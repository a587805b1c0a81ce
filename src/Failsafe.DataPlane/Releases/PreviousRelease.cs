namespace Failsafe.DataPlane;

/// <summary>The release that was current before the last switch: the "previous good" one retention must keep.</summary>
internal static class PreviousRelease
{
    public static string? Read(ServicePaths service)
    {
        var text = DurableFile.ReadTrimmedOrNull(service.PreviousFile);
        return ReleaseNames.IsReleaseName(text) ? text : null;
    }

    public static void Write(ServicePaths service, string release) =>
        DurableFile.WriteAllText(service.PreviousFile, release + "\n");
}
