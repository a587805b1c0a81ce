using System.Net.Http.Json;
using Failsafe.Contracts;

namespace Failsafe.Client;

/// <summary>Everything as code: plan and apply, promotion along a lifecycle, approval.</summary>
internal sealed partial class FailsafeClient
{
    public Task<ConfigState> GetConfigAsync(CancellationToken ct) => GetAsync<ConfigState>(ApiRoutes.Config, ct);

    public Task<ConfigPlan> PlanAsync(ConfigRequest request, CancellationToken ct) =>
        SendAsync<ConfigPlan>(HttpMethod.Post, ApiRoutes.ConfigPlan, JsonContent.Create(request, options: FailsafeJson.Options), ct);

    public Task<ConfigApplied> ApplyAsync(ConfigRequest request, CancellationToken ct) =>
        SendAsync<ConfigApplied>(HttpMethod.Post, ApiRoutes.ConfigApply, JsonContent.Create(request, options: FailsafeJson.Options), ct);

    public Task<DeploymentInfo> PromoteAsync(string service, PromoteRequest request, CancellationToken ct) =>
        SendAsync<DeploymentInfo>(HttpMethod.Post, ApiRoutes.PromotionsFor(service), JsonContent.Create(request, options: FailsafeJson.Options), ct);

    public Task<DeploymentInfo> ApproveAsync(string id, string? comment, CancellationToken ct) =>
        SendAsync<DeploymentInfo>(HttpMethod.Post, ApiRoutes.ApproveFor(id), JsonContent.Create(new ApproveRequest(comment), options: FailsafeJson.Options), ct);
}
