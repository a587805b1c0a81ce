using System.Net;
using System.Net.Sockets;

namespace Failsafe.DataPlane;

internal static class FreePort
{
    /// <summary>A port on 127.0.0.1 the kernel considers free right now (bound to port 0, then released).</summary>
    public static int Find()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }
}
