using System.Data.Common;

namespace Failsafe.ControlPlane.Storage;

internal static class ReaderExtensions
{
    public static string Text(this DbDataReader reader, string column) => reader.GetString(reader.GetOrdinal(column));

    public static string? TextOrNull(this DbDataReader reader, string column)
    {
        var i = reader.GetOrdinal(column);
        return reader.IsDBNull(i) ? null : reader.GetString(i);
    }

    public static long Int64(this DbDataReader reader, string column) => reader.GetInt64(reader.GetOrdinal(column));

    public static long? Int64OrNull(this DbDataReader reader, string column)
    {
        var i = reader.GetOrdinal(column);
        return reader.IsDBNull(i) ? null : reader.GetInt64(i);
    }

    public static int Int32(this DbDataReader reader, string column) => (int)reader.GetInt64(reader.GetOrdinal(column));

    public static int? Int32OrNull(this DbDataReader reader, string column) => (int?)reader.Int64OrNull(column);

    public static bool Bool(this DbDataReader reader, string column) => reader.GetInt64(reader.GetOrdinal(column)) != 0;

    public static DateTimeOffset Time(this DbDataReader reader, string column) =>
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(reader.GetOrdinal(column)));

    public static DateTimeOffset? TimeOrNull(this DbDataReader reader, string column)
    {
        var i = reader.GetOrdinal(column);
        return reader.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(i));
    }
}
