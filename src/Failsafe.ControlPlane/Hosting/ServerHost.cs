using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Failsafe.ControlPlane.Hosting;

/// <summary>Entry points of <c>failsafe server</c>.</summary>
public static class ServerHost
{
    /// <summary>
    /// Prepares the data folder (database migrated, TLS material and first admin token made when
    /// missing) and builds the web application. Throws <see cref="ServerStartupException"/> with a
    /// one-line message when the options or the data folder cannot be used.
    /// </summary>
    public static WebApplication Build(ServerOptions options) => Build(options, configure: null);

    internal static WebApplication Build(ServerOptions options, Action<WebApplicationBuilder>? configure)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(ServerHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.AddFailsafeServer(options);
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapFailsafeServer();
        return app;
    }

    /// <summary>Runs the server until <paramref name="cancellationToken"/> fires or the process is asked to stop; 0 on a clean stop, 1 when it cannot start.</summary>
    public static async Task<int> RunAsync(ServerOptions options, CancellationToken cancellationToken)
    {
        try
        {
            await using var app = Build(options);
            try
            {
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                // The first admin token already exists (only its hash is stored); if it is not shown now,
                // nobody will ever hold it. Show it before giving up.
                if (app.Services.GetRequiredService<FirstStart>().TakeAdminToken() is { } token)
                {
                    var output = options.Output ?? Console.Out;
                    await output.WriteLineAsync($"The admin token was created before the server failed to start; it is shown once: {token}").ConfigureAwait(false);
                }

                throw new ServerStartupException($"Cannot listen on {options.Urls}: {e.Message}", e);
            }

            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (ServerStartupException e)
        {
            await Console.Error.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return 1;
        }
    }
}
