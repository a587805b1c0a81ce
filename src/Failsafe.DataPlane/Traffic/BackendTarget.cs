using System.Globalization;

namespace Failsafe.DataPlane.Traffic;

/// <summary>A backend as the hot path needs it: its address prefix and in-flight counter resolved once per route.</summary>
internal sealed class BackendTarget(Backend backend, bool canary, InFlightCounter inFlight)
{
    public Backend Backend { get; } = backend;

    public bool Canary { get; } = canary;

    public InFlightCounter InFlight { get; } = inFlight;

    // The last target asked for and its parsed Uri: most traffic repeats a few paths, and a Uri is
    // immutable, so requests on any thread may share it. Replaced whole, never mutated.
    private UriEntry? _last;

    /// <summary>"http://127.0.0.1:PORT", to which the request's path and query are appended.</summary>
    public string Prefix { get; } = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{backend.Port}");

    /// <summary>The instance's URI for a path and query ("/a?b=1").</summary>
    /// <exception cref="UriFormatException">The target does not make a valid URI.</exception>
    public Uri UriFor(string pathAndQuery)
    {
        var last = Volatile.Read(ref _last);
        if (last is not null && string.Equals(last.PathAndQuery, pathAndQuery, StringComparison.Ordinal))
        {
            return last.Uri;
        }

        var uri = new Uri(Prefix + pathAndQuery, UriKind.Absolute);
        Volatile.Write(ref _last, new UriEntry(pathAndQuery, uri));
        return uri;
    }

    private sealed record UriEntry(string PathAndQuery, Uri Uri);
}
