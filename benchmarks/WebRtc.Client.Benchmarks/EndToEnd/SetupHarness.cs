using System.Diagnostics;
using System.Net;
using WebRtc.Client.Dtls;
using WebRtc.Client.Ice;

namespace WebRtc.Client.Benchmarks.EndToEnd;

/// <summary>
/// End-to-end connection setup on real loopback sockets: for each of N runs, a new pair of ICE
/// transports gathers, connects and nominates, then DTLS (ECDSA P-256) handshakes over it.
/// Reports medians of ICE time, DTLS handshake time and the total.
/// </summary>
internal static class SetupHarness
{
    public static async Task RunAsync(int runs)
    {
        var certificateA = RTCCertificate.Generate();
        var certificateB = RTCCertificate.Generate();
        var ice = new List<double>();
        var dtls = new List<double>();
        var total = new List<double>();
        for (int i = 0; i <= runs; i++)
        {
            var (iceMs, dtlsMs) = await OnceAsync(certificateA, certificateB);
            if (i == 0)
            {
                continue; // the first run pays for JIT
            }

            ice.Add(iceMs);
            dtls.Add(dtlsMs);
            total.Add(iceMs + dtlsMs);
        }

        Console.WriteLine($"Connection setup on loopback, {runs} runs (after one warm-up), milliseconds:");
        Console.WriteLine("| Phase | Median | Min | Max |");
        Console.WriteLine("|---|---:|---:|---:|");
        Print("ICE: new transports to Completed (nominated)", ice);
        Print("DTLS 1.2 handshake over ICE (ECDSA P-256)", dtls);
        Print("Total", total);
    }

    private static void Print(string name, List<double> values)
    {
        values.Sort();
        double median = values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
        Console.WriteLine($"| {name} | {median:0.00} | {values[0]:0.00} | {values[^1]:0.00} |");
    }

    private static async Task<(double Ice, double Dtls)> OnceAsync(RTCCertificate certificateA, RTCCertificate certificateB)
    {
        var stopwatch = Stopwatch.StartNew();
        await using var a = new IceTransport(new IceTransportOptions { Controlling = true, BindAddresses = [IPAddress.Loopback] });
        await using var b = new IceTransport(new IceTransportOptions { BindAddresses = [IPAddress.Loopback] });
        var nominated = Task.WhenAll(Nominated(a), Nominated(b));
        Wire(a, b);
        Wire(b, a);
        await a.GatherAsync();
        await b.GatherAsync();
        await nominated.WaitAsync(TimeSpan.FromSeconds(10));
        double iceMs = stopwatch.Elapsed.TotalMilliseconds;

        stopwatch.Restart();
        await using var server = new DtlsTransport(a.Dtls, certificateA);
        await using var client = new DtlsTransport(b.Dtls, certificateB);
        await Task.WhenAll(
            server.StartAsync(DtlsRole.Server, certificateB.GetFingerprint("sha-256")),
            client.StartAsync(DtlsRole.Client, certificateA.GetFingerprint("sha-256"))).WaitAsync(TimeSpan.FromSeconds(10));
        return (iceMs, stopwatch.Elapsed.TotalMilliseconds);
    }

    private static void Wire(IceTransport from, IceTransport to)
    {
        from.CandidateGathered += (_, c) => _ = to.AddRemoteCandidateAsync(c);
        from.GatheringStateChanged += (_, s) =>
        {
            if (s == RTCIceGatheringState.Complete)
            {
                to.AddRemoteEndOfCandidates();
            }
        };
        to.SetRemoteCredentials(from.LocalCredentials.Ufrag, from.LocalCredentials.Pwd);
    }

    // Completed: a nominated pair, checks done and end-of-candidates from both sides (non-trickle finish).
    private static Task Nominated(IceTransport transport)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        transport.StateChanged += (_, state) =>
        {
            if (state == RTCIceTransportState.Completed)
            {
                done.TrySetResult();
            }
        };
        return done.Task;
    }
}
