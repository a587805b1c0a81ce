using Failsafe.Bench.Proxy;

// Proxy cost (wrk straight to a minimal Kestrel app, through the Failsafe proxy, through nginx) and
// route switches under load. Usage: [--duration S] [--rounds N] [--switches N] [--no-pin] [--no-inline]
// The same executable runs the pieces in their own processes: "upstream --port P", "proxy --port P --upstream Q".
return args.FirstOrDefault() switch
{
    "upstream" => await UpstreamServer.RunAsync(BenchSettings.IntOption(args, "--port")),
    "proxy" => await ProxyServer.RunAsync(BenchSettings.IntOption(args, "--port"), BenchSettings.IntOption(args, "--upstream")),
    _ => await Benchmarks.RunAsync(BenchSettings.Parse(args)),
};
