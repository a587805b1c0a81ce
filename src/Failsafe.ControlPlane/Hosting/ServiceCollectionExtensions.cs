using System.Text.Json.Serialization;
using Failsafe.ControlPlane.AgentProtocol;
using Failsafe.ControlPlane.Analysis;
using Failsafe.ControlPlane.Api;
using Failsafe.ControlPlane.Auth;
using Failsafe.ControlPlane.Blobs;
using Failsafe.ControlPlane.Configuration;
using Failsafe.ControlPlane.Orchestration;
using Failsafe.ControlPlane.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Failsafe.ControlPlane.Hosting;

internal static class ServiceCollectionExtensions
{
    public static IServiceCollection AddFailsafeServerServices(
        this IServiceCollection services, ServerOptions options, IDatabase database, IBlobStore blobs, TlsMaterial tls, FirstStart firstStart)
    {
        services.AddSingleton(options);
        services.TryAddSingleton(options.Time);
        services.AddSingleton(_ => database); // made by a factory, so the container disposes it (PostgreSQL's connection pool)
        services.AddSingleton(blobs);
        services.AddSingleton(tls);
        services.AddSingleton(tls.Authority);
        services.AddSingleton(tls.Anchor);
        services.AddSingleton(firstStart);

        services.AddSingleton<OrchestratorSignal>();
        services.AddSingleton<AgentSignals>();
        services.AddSingleton<DeploymentStateMachine>();
        services.AddSingleton<RolloutDriver>();
        services.TryAddSingleton(new Replica(options.LeaseDuration));
        services.AddSingleton<DeploymentControl>();
        services.AddSingleton<TrafficMetricsStore>();
        services.AddSingleton<CanaryJudge>();
        services.AddPrometheusMetricSource();
        services.AddSingleton<DeploymentPlanner>();
        services.AddSingleton<RollbackPlanner>();
        services.AddSingleton<ConfigService>();
        services.AddSingleton<Approvals>();
        services.AddSingleton<TaskDispatcher>();
        services.AddSingleton<TaskCompletion>();
        services.AddSingleton<EnrollmentService>();
        services.AddSingleton<ReleasePushHandler>();
        services.AddSingleton<Orchestrator>();
        services.AddHostedService(sp => sp.GetRequiredService<Orchestrator>());
        services.AddHostedService<StartupBanner>();

        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(AuthSchemes.ApiToken, configureOptions: null)
            .AddScheme<AuthenticationSchemeOptions, AgentCertificateHandler>(AuthSchemes.AgentCertificate, configureOptions: null);
        services.AddAuthorizationBuilder()
            .AddPolicy(AuthSchemes.ApiPolicy, p => p.AddAuthenticationSchemes(AuthSchemes.ApiToken).RequireAuthenticatedUser())
            .AddPolicy(AuthSchemes.AgentPolicy, p => p.AddAuthenticationSchemes(AuthSchemes.AgentCertificate).RequireAuthenticatedUser());

        // Malformed bodies become exceptions the error middleware words as ApiError.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull);
        return services;
    }
}
