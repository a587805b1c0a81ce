namespace Failsafe.DataPlane.Traffic;

/// <summary>
/// Maps a sticky header's value to a bucket 0-99. The same on every host and every run (string.GetHashCode
/// is randomised per process), so a user lands on the same side everywhere.
/// </summary>
internal static class StickyHash
{
    public static int Bucket(ReadOnlySpan<char> value)
    {
        // FNV-1a over the UTF-16 code units, then murmur3's finaliser so that the low digits mix well.
        var hash = 2166136261u;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 16777619u;
        }

        hash ^= hash >> 16;
        hash *= 0x85ebca6bu;
        hash ^= hash >> 13;
        hash *= 0xc2b2ae35u;
        hash ^= hash >> 16;
        return (int)(hash % 100);
    }
}
