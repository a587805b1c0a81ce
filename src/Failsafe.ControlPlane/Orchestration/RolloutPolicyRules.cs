using Failsafe.Contracts;
using Failsafe.ControlPlane.Analysis;
using Failsafe.ControlPlane.Api;

namespace Failsafe.ControlPlane.Orchestration;

/// <summary>What a rollout policy must say to be followed, and the policy a deployment gets when it names none.</summary>
internal static class RolloutPolicyRules
{
    /// <summary>
    /// The policy a deployment follows: the one given (missing parts filled in), or the default canary for a
    /// service behind the proxy, or plain batches for one that is not.
    /// </summary>
    public static RolloutPolicy Resolve(RolloutPolicy? given, ActivationSettings settings)
    {
        if (given is null)
        {
            return settings.Traffic is null ? new RolloutPolicy([], Analysis: new AnalysisSettings()) : RolloutPolicy.Default;
        }

        var policy = given with
        {
            Steps = given.Steps ?? (settings.Traffic is null ? [] : RolloutPolicy.Default.Steps),
            Analysis = given.Analysis ?? new AnalysisSettings(),
        };
        Validate(policy, settings);
        return policy;
    }

    private static void Validate(RolloutPolicy policy, ActivationSettings settings)
    {
        var steps = policy.Steps!;
        if (steps.Count > 0 && settings.Traffic is null)
        {
            throw ApiProblemException.BadRequest("Canary steps need the service behind the traffic proxy: give it a public port (deploy --port).");
        }

        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i].Weight is < 1 or > 100)
            {
                throw ApiProblemException.BadRequest($"Step {i + 1}: a canary weight is a percentage from 1 to 100, not {steps[i].Weight}.");
            }

            if (i > 0 && steps[i].Weight <= steps[i - 1].Weight)
            {
                throw ApiProblemException.BadRequest($"Step {i + 1}: canary weights must rise ({steps[i - 1].Weight}% then {steps[i].Weight}%).");
            }

            if (steps[i].HoldSeconds < 0)
            {
                throw ApiProblemException.BadRequest($"Step {i + 1}: a hold time cannot be negative.");
            }
        }

        if (policy.CanaryHosts < 1)
        {
            throw ApiProblemException.BadRequest("A rollout needs at least 1 canary host.");
        }

        if (policy.BatchHoldSeconds < 0)
        {
            throw ApiProblemException.BadRequest("The batch hold time cannot be negative.");
        }

        var a = policy.Analysis!;
        if (!(a.FalseAlarmRate is > 0 and < 0.5))
        {
            throw ApiProblemException.BadRequest($"The false-alarm rate is a fraction between 0 and 0.5 (0.01 = 1%), not {a.FalseAlarmRate}.");
        }

        if (!(a.MinErrorRateIncrease is > 0 and < 1) || !(a.MinLatencyIncrease is > 0 and < 10))
        {
            throw ApiProblemException.BadRequest("Minimum effects are positive fractions: an error-rate rise below 1 (0.01 = one point), a latency rise below 10 (0.1 = 10% slower).");
        }

        if (a.InitialDelaySeconds is < 0 or > 3600)
        {
            throw ApiProblemException.BadRequest($"The analysis' initial delay is between 0 and 3600 seconds, not {a.InitialDelaySeconds}.");
        }

        if (a.MinRequests < 1)
        {
            throw ApiProblemException.BadRequest("Analysis needs at least 1 request per side (MinRequests).");
        }

        if (a.Prometheus is { } p)
        {
            try
            {
                // The URL and every query template, checked now rather than as a rollout that holds later.
                PrometheusMetricSource.Check(p);
            }
            catch (PrometheusQueryException e)
            {
                throw ApiProblemException.BadRequest(e.Message);
            }
        }
    }

    public static void ValidateTraffic(TrafficSettings traffic)
    {
        if (traffic.PublicPort is < 1 or > 65535)
        {
            throw ApiProblemException.BadRequest($"The public port must be from 1 to 65535, not {traffic.PublicPort}.");
        }

        if (traffic.WarmUpRequests < 0 || traffic.ApdexMilliseconds <= 0 || traffic.UpstreamTimeoutSeconds < 1)
        {
            throw ApiProblemException.BadRequest("Traffic settings must be positive: warm-up requests at least 0, Apdex T above 0 ms, upstream timeout at least 1 second.");
        }

        if (string.IsNullOrWhiteSpace(traffic.VersionHeader))
        {
            throw ApiProblemException.BadRequest("The version header needs a name (default X-Failsafe-Version).");
        }
    }
}
