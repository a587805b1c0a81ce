namespace Failsafe.Config.Tests;

/// <summary>A valid service and fleet, the base that mistake tests change one thing in.</summary>
internal static class Samples
{
    public const string Service = """
        service: hello
        run:
          entry: ./hello --greeting "#{GREETING}"
          port: 8080
          health:
            path: /healthz
            timeout: 45s
          warm-up:
            requests: 20
            paths: [/healthz, /]
          drain-timeout: 1m30s
          keep-releases: 3
        hooks:
          pre-activate:
            command: "./migrate.sh --level #{LOG_LEVEL}"
            timeout: 2m
        rollout:
          steps: [5%, 25%, 50%]
          hold: 30s
          canary-hosts: 2
          batch-hold: 10s
          analysis:
            false-alarm: 0.5%
            min-error-increase: 2%
            min-latency-increase: 20%
            min-requests: 50
            initial-delay: 30s
            prometheus:
              url: http://127.0.0.1:9090
        variables:
          GREETING: Hello
          PORT_COUNT: 3
          DB_PASSWORD:
            secret: db-password
          LOG_LEVEL:
            value: info
            environments:
              prod: warn
            host-groups:
              staging-web: { value: debug }
            hosts:
              web-3: { secret: web3-key }
        substitute: [appsettings.json, "config/*.conf"]
        environments: [staging, prod]
        lifecycle: default
        """;

    public const string Fleet = """
        environments:
          staging:
            host-groups: [staging-web]
            hosts: [stage-1]
          prod:
            host-groups: [prod-web]
            approval:
              required: 1
              approvers: [alice, "role:release-managers"]
          dev:
            hosts: [dev-1]
        host-groups:
          staging-web:
            hosts: [web-2, web-1]
            tags: [staging]
          prod-web:
            hosts: [web-3]
            include: [prod-extra]
          prod-extra:
            hosts: [web-4]
            tags: [prod]
        lifecycles:
          default: [dev, staging, prod]
        """;
}
