using System.Globalization;

namespace Failsafe.Cli;

internal static class Sizes
{
    public static string Format(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.0 'KiB'", CultureInfo.InvariantCulture),
        < 1024L * 1024 * 1024 => (bytes / 1048576.0).ToString("0.0 'MiB'", CultureInfo.InvariantCulture),
        _ => (bytes / 1073741824.0).ToString("0.00 'GiB'", CultureInfo.InvariantCulture),
    };
}
