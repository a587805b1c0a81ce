namespace Failsafe.Config.Schema;

/// <summary>The two files, declared once: the loader walks these and <see cref="ConfigSchema"/> publishes them.</summary>
internal static class ConfigShapes
{
    private const int Day = 86_400;

    private static ScalarShape Text => new(ScalarKind.Text);

    private static ScalarShape Named(NameRule rule) => new(ScalarKind.Text) { Name = rule };

    private static ScalarShape Seconds(int min, int max) => new(ScalarKind.Duration, min, max);

    private static ScalarShape Path => new(ScalarKind.Text) { StartsWith = "/" };

    private static ListShape NameSet(NameRule rule) => new(Named(rule)) { Unique = true };

    public static ObjectShape Service { get; } = BuildService();

    public static ObjectShape Fleet { get; } = BuildFleet();

    private static ObjectShape BuildService()
    {
        var health = new ObjectShape([
            new("path", Path, "Path the agent polls until the instance answers 2xx; must start with '/'.", Default: "/healthz"),
            new("timeout", Seconds(1, 3600), "How long a new instance may take to become healthy before the deployment fails.", Default: "30s"),
        ]);
        var warmUp = new ObjectShape([
            new("requests", new ScalarShape(ScalarKind.Integer, 0, 10_000), "Requests sent to the new instance before it takes traffic.", Default: 10),
            new("paths", new ListShape(Path), "Paths the warm-up requests go to, in turn; each must start with '/'.", Default: "[health path]"),
        ]);
        var run = new ObjectShape([
            new("entry", Text, "The command that starts one instance, run from the release folder; may use #{NAME} variables.", Required: true),
            new("port", new ScalarShape(ScalarKind.Integer, 1, 65_535), "Public port the agent's proxy listens on; without it there is no proxy and no canary."),
            new("health", health, "How the agent tells that an instance is ready."),
            new("warm-up", warmUp, "Requests that warm a new instance up before it takes traffic."),
            new("drain-timeout", Seconds(0, 3600), "How long an old instance may finish its requests before it is stopped.", Default: "10s"),
            new("keep-releases", new ScalarShape(ScalarKind.Integer, 1, 100), "Releases kept on each host for a fast rollback.", Default: 5),
        ]);
        var hook = new ChoiceShape([
            Text,
            new ObjectShape([
                new("command", Text, "The command, run from the release folder; may use #{NAME} variables.", Required: true),
                new("timeout", Seconds(1, Day), "How long it may run before the deployment fails.", Default: "60s"),
            ]),
        ]);
        var hooks = new ObjectShape([
            new("pre-activate", hook, "Runs on each host after install, before traffic moves (e.g. database migrations): a command, or {command, timeout}."),
        ]);
        var prometheus = new ObjectShape([
            new("url", new ScalarShape(ScalarKind.Text) { HttpUrl = true }, "Base URL of the Prometheus server, e.g. http://127.0.0.1:9090.", Required: true),
            new("requests-query", Text, "PromQL for the number of requests; placeholders {{service}}, {{version}}, {{window}}."),
            new("errors-query", Text, "PromQL for the number of failed requests; same placeholders."),
            new("latency-buckets-query", Text, "PromQL for the latency histogram, one series per 'le'; same placeholders."),
        ]);
        var analysis = new ObjectShape([
            new("false-alarm", new ScalarShape(ScalarKind.Percentage, 0, 50) { Exclusive = true }, "Bound on the chance that a canary as good as stable is failed, more than 0% and less than 50%.", Default: "1%"),
            new("min-error-increase", new ScalarShape(ScalarKind.Percentage, 0, 100), "Smallest rise of the error rate worth acting on, in percentage points.", Default: "1%"),
            new("min-latency-increase", new ScalarShape(ScalarKind.Percentage, 0, 1000), "Smallest latency rise worth acting on, as a share of stable's latency.", Default: "10%"),
            new("min-requests", new ScalarShape(ScalarKind.Integer, 1, 1_000_000_000), "Fewer requests than this on either side means no data: the rollout holds.", Default: 100),
            new("initial-delay", Seconds(0, 3600), "Traffic in the first moments of the canary (and of the batches) is left out of the analysis: a fresh process is slower while its code warms up.", Default: "10s"),
            new("prometheus", prometheus, "Take error counts and latency from this Prometheus server instead of the agents' proxies."),
        ]);
        var rollout = new ObjectShape([
            new("steps", new ListShape(new ScalarShape(ScalarKind.Percentage, 1, 100) { Whole = true }), "Canary traffic weights, strictly rising, e.g. [5%, 25%, 50%]; [] deploys without a canary.", Default: "[5%, 25%, 50%]"),
            new("hold", Seconds(0, Day), "Least time at each canary step.", Default: "30s"),
            new("canary-hosts", new ScalarShape(ScalarKind.Integer, 1, 1000), "Hosts that run the canary.", Default: 1),
            new("batch-hold", Seconds(0, Day), "Pause between batches of hosts after the canary.", Default: "0s"),
            new("analysis", analysis, "Thresholds of the canary analysis."),
        ]);
        var scoped = new ChoiceShape([
            new ScalarShape(ScalarKind.Value),
            new ObjectShape([
                new("value", new ScalarShape(ScalarKind.Value), "The value (text, number or bool, kept as written)."),
                new("secret", Named(NameRules.Secret), "Name of a secret set with 'failsafe secret set NAME --env ENV'."),
            ]),
        ]);
        var variable = new ChoiceShape([
            new ScalarShape(ScalarKind.Value),
            new ObjectShape([
                new("value", new ScalarShape(ScalarKind.Value), "The value everywhere (text, number or bool, kept as written)."),
                new("secret", Named(NameRules.Secret), "Name of a secret set with 'failsafe secret set NAME --env ENV'; resolved in the deployment's environment."),
                new("environments", new MapShape(NameRules.Environment, scoped, "The value in this environment: a value, {value: ..} or {secret: ..}."), "Values per environment."),
                new("host-groups", new MapShape(NameRules.HostGroup, scoped, "The value on the hosts of this group: a value, {value: ..} or {secret: ..}."), "Values per host group; beat environment values."),
                new("hosts", new MapShape(NameRules.Host, scoped, "The value on this host: a value, {value: ..} or {secret: ..}."), "Values per host; beat all others."),
            ]),
        ]);
        return new ObjectShape([
            new("service", Named(NameRules.Service), "The service's name: lowercase letters, digits and '-'.", Required: true),
            new("run", run, "How the service runs.", Required: true),
            new("hooks", hooks, "Commands run at points of a deployment."),
            new("rollout", rollout, "How a new version reaches the hosts: canary steps and analysis."),
            new("variables", new MapShape(NameRules.Variable, variable, "A value, {value: ..} or {secret: ..}, with optional environments, host-groups and hosts."), "Variables, given to the instance's environment and to #{NAME} in entry, hooks and substituted files."),
            new("substitute", new ListShape(Text), "Files of the release (paths or globs) in which #{NAME} is replaced at install."),
            new("environments", new ListShape(Named(NameRules.Environment)) { NonEmpty = true, Unique = true }, "The environments the service deploys to; each must exist in the fleet.", Required: true),
            new("lifecycle", Named(NameRules.Lifecycle), "The fleet's lifecycle its releases follow.", Default: "default"),
        ]);
    }

    private static ObjectShape BuildFleet()
    {
        var approval = new ObjectShape([
            new("required", new ScalarShape(ScalarKind.Integer, 1, 100), "How many distinct people must approve a deployment here.", Required: true),
            new("approvers", new ListShape(Named(NameRules.Approver)) { NonEmpty = true, Unique = true }, "Who may approve: token names (alice) and roles (role:release-managers).", Required: true),
        ]);
        var environment = new ObjectShape([
            new("host-groups", NameSet(NameRules.HostGroup), "Host groups whose hosts a deployment here reaches."),
            new("hosts", NameSet(NameRules.Host), "Hosts (agent names) a deployment here reaches."),
            new("approval", approval, "Who must approve a deployment here."),
        ]);
        var hostGroup = new ObjectShape([
            new("hosts", NameSet(NameRules.Host), "Hosts by agent name."),
            new("tags", NameSet(NameRules.Tag), "Hosts by tag: agents started with --tag."),
            new("include", NameSet(NameRules.HostGroup), "Other groups whose hosts and tags this group also holds."),
        ]);
        return new ObjectShape([
            new("environments", new MapShape(NameRules.Environment, environment, "An environment: its hosts and its approval gate."), "Environments by name."),
            new("host-groups", new MapShape(NameRules.HostGroup, hostGroup, "A host group: hosts by name and/or by tag."), "Host groups by name."),
            new("lifecycles", new MapShape(NameRules.Lifecycle, new ListShape(Named(NameRules.Environment)) { NonEmpty = true }, "Environments in the order a release passes through them."), "Lifecycles by name."),
        ]);
    }
}
