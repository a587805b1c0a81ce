using System.Data.Common;
using Failsafe.Contracts;

namespace Failsafe.ControlPlane.Storage;

internal sealed record ReleaseRecord(
    string Service, string Version, string Sha256, long Size, int FileCount, long UncompressedSize, DateTimeOffset PushedAt, string PushedBy)
{
    /// <summary>The directory name agents install this release under.</summary>
    public string ReleaseId => ReleaseIds.For(Version, Sha256);

    public ReleaseInfo ToInfo(bool created) => new(Service, Version, Sha256, Size, FileCount, UncompressedSize, PushedAt, PushedBy, created);
}

internal static class ReleasesStore
{
    private const string Columns = "service, version, sha256, size, file_count, uncompressed_size, pushed_at, pushed_by";

    public static Task<ReleaseRecord?> FindAsync(DbSession session, string service, string version) =>
        session.QuerySingleOrDefaultAsync(
            $"SELECT {Columns} FROM releases WHERE service = @service AND version = @version",
            Map, ("@service", service), ("@version", version));

    public static Task<List<ReleaseRecord>> ListAsync(DbSession session, string? service) =>
        session.QueryAsync(
            $"SELECT {Columns} FROM releases WHERE CAST(@service AS TEXT) IS NULL OR service = @service ORDER BY service, pushed_at, version",
            Map, ("@service", service));

    public static Task AddAsync(DbSession session, ReleaseRecord release) =>
        session.ExecuteAsync(
            $"INSERT INTO releases ({Columns}) VALUES (@service, @version, @sha, @size, @files, @uncompressed, @at, @by)",
            ("@service", release.Service), ("@version", release.Version), ("@sha", release.Sha256), ("@size", release.Size),
            ("@files", release.FileCount), ("@uncompressed", release.UncompressedSize), ("@at", release.PushedAt), ("@by", release.PushedBy));

    private static ReleaseRecord Map(DbDataReader r) => new(
        r.Text("service"), r.Text("version"), r.Text("sha256"), r.Int64("size"), r.Int32("file_count"),
        r.Int64("uncompressed_size"), r.Time("pushed_at"), r.Text("pushed_by"));
}
