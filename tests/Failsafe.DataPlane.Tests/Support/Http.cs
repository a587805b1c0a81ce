namespace Failsafe.DataPlane.Tests;

internal static class Http
{
    private static readonly HttpClient Client = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };

    public static Task<string> GetAsync(int port, string path = "/") => Client.GetStringAsync($"http://127.0.0.1:{port}{path}");

    public static async Task<int> StatusAsync(int port, string path)
    {
        using var response = await Client.GetAsync($"http://127.0.0.1:{port}{path}");
        return (int)response.StatusCode;
    }

    /// <summary>True when something accepts connections on the port.</summary>
    public static async Task<bool> IsListeningAsync(int port)
    {
        using var socket = new System.Net.Sockets.TcpClient();
        try
        {
            await socket.ConnectAsync(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
