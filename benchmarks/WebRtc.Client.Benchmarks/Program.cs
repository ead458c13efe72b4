using BenchmarkDotNet.Running;
using WebRtc.Client.Benchmarks.EndToEnd;

namespace WebRtc.Client.Benchmarks;

/// <summary>
/// Entry point. <c>setup [runs]</c> runs the end-to-end connection-setup harness, <c>datachannel
/// [seconds]</c> the data-channel throughput harness, <c>mediacall [seconds]</c> the CPU of a VP8+Opus call, <c>relay
/// [seconds]</c> setup and throughput direct vs through coturn (TURN over UDP/TCP/TLS); anything else
/// goes to BenchmarkDotNet, e.g. <c>--filter '*Stun*' --job short</c>.
/// </summary>
public static class Program
{
    public static async Task Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "setup")
        {
            await SetupHarness.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20);
            return;
        }

        if (args.Length > 0 && args[0] == "datachannel")
        {
            await DataChannelHarness.RunAsync(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10);
            return;
        }

        if (args.Length > 0 && args[0] == "relay")
        {
            await RelayHarness.RunAsync(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5);
            return;
        }

        if (args.Length > 0 && args[0] == "mediacall")
        {
            await MediaCallHarness.RunAsync(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
