namespace Failsafe.Artifacts;

/// <summary>Permission bits as the manifest writes them: four octal digits such as "0755".</summary>
internal static class ModeText
{
    public const UnixFileMode PermissionBits = (UnixFileMode)0x1FF;

    public static string Format(UnixFileMode mode) =>
        "0" + Convert.ToString((int)(mode & PermissionBits), 8).PadLeft(3, '0');

    public static bool IsValid(string? text) =>
        text is { Length: 4 } && text[0] == '0' && text.Skip(1).All(c => c is >= '0' and <= '7');

    public static UnixFileMode Parse(string text) => (UnixFileMode)Convert.ToInt32(text, 8);
}
