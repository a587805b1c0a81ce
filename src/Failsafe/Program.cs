using Failsafe.Cli;

return await FailsafeCli.RunAsync(args);
