using System.Net;
using System.Net.Sockets;

namespace Failsafe.ControlPlane.Tests.Infrastructure;

/// <summary>
/// Forwards 127.0.0.1:<see cref="Port"/> to a TCP server, and lets a test break the way as a server restart would:
/// <see cref="CutAll"/> resets every open connection, <see cref="Stop"/> also closes the port until <see cref="Resume"/>.
/// </summary>
internal sealed class TcpForwarder : IAsyncDisposable
{
    private readonly int _targetPort;
    private readonly List<Socket> _open = [];
    private TcpListener? _listener;

    private TcpForwarder(int targetPort, int port)
    {
        _targetPort = targetPort;
        Port = port;
    }

    public int Port { get; }

    /// <summary>How many connections were accepted so far.</summary>
    public int Accepted { get; private set; }

    /// <summary>Forwards a free port to <paramref name="targetPort"/>; listening unless <paramref name="listening"/> is false.</summary>
    public static TcpForwarder Start(int targetPort, bool listening = true)
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var forwarder = new TcpForwarder(targetPort, port);
        if (listening)
        {
            forwarder.Resume();
        }

        return forwarder;
    }

    /// <summary>Listens on <see cref="Port"/> again.</summary>
    public void Resume()
    {
        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        _ = AcceptAsync(listener);
    }

    /// <summary>Closes the port (connecting is refused) and resets every open connection.</summary>
    public void Stop()
    {
        _listener?.Stop();
        _listener = null;
        CutAll();
    }

    /// <summary>Resets every open connection, both sides.</summary>
    public void CutAll()
    {
        lock (_open)
        {
            foreach (var socket in _open)
            {
                try
                {
                    socket.LingerState = new LingerOption(true, 0);
                }
                catch (ObjectDisposedException)
                {
                }

                socket.Dispose();
            }

            _open.Clear();
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Accepted++;
            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        lock (_open)
        {
            _open.Add(client);
            _open.Add(server);
        }

        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort);
            await using var up = new NetworkStream(client, ownsSocket: false);
            await using var down = new NetworkStream(server, ownsSocket: false);
            await Task.WhenAny(up.CopyToAsync(down), down.CopyToAsync(up));
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // Cut, or one side went away: close both.
        }
        finally
        {
            lock (_open)
            {
                _open.Remove(client);
                _open.Remove(server);
            }

            client.Dispose();
            server.Dispose();
        }
    }
}
