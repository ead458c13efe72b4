using System.Diagnostics;
using System.Net;
using WebRtc.Client.DataChannels;
using WebRtc.Client.Dtls;
using WebRtc.Client.Net;

namespace WebRtc.Client.Benchmarks.EndToEnd;

/// <summary>
/// Data-channel throughput on loopback, ICE + DTLS + SCTP, next to raw UDP loopback with the
/// same datagram size as the ceiling, all in one run: one channel with 64 KiB messages, 16
/// channels in parallel, 100-byte message rate, and time from a new pair to the first message.
/// </summary>
internal static class DataChannelHarness
{
    private const int DatagramSize = 1200;

    public static async Task RunAsync(double seconds)
    {
        var duration = TimeSpan.FromSeconds(seconds);
        var certificateA = RTCCertificate.Generate();
        var certificateB = RTCCertificate.Generate();
        Console.WriteLine($"Data channels on loopback, {seconds:0.#} s per measurement, {Environment.ProcessorCount} cores:");
        Console.WriteLine("| Measurement | Result | vs raw UDP |");
        Console.WriteLine("|---|---:|---:|");
        double udp = RawUdp(duration);
        Console.WriteLine($"| Raw UDP loopback, {DatagramSize}-byte datagrams (ceiling) | {udp:0.0} MB/s | 1.00 |");

        double dtls = await DtlsOnlyAsync(certificateA, certificateB, duration);
        Console.WriteLine($"| DTLS records over ICE, no SCTP, {DatagramSize - 40}-byte records (received) | {dtls:0.0} MB/s | {dtls / udp:0.00} |");

        double one = await ThroughputAsync(certificateA, certificateB, 1, 64 * 1024, duration);
        Console.WriteLine($"| 1 reliable ordered channel, 64 KiB messages (AES-128-GCM, native records) | {one:0.0} MB/s | {one / udp:0.00} |");
        // The same channel on each DTLS record path: the other AEAD on .NET's native path, and
        // BouncyCastle's record layer (which carried ChaCha20-Poly1305 before it had a native path).
        foreach (var (name, options) in new (string, DtlsTransportOptions)[]
        {
            ("ChaCha20-Poly1305, native records", new() { CipherSuites = [Org.BouncyCastle.Tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256] }),
            ("ChaCha20-Poly1305, BouncyCastle records", new() { CipherSuites = [Org.BouncyCastle.Tls.CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256], NativeRecordLayer = false }),
            ("AES-128-GCM, BouncyCastle records", new() { NativeRecordLayer = false }),
        })
        {
            double rate = await ThroughputAsync(certificateA, certificateB, 1, 64 * 1024, duration, options);
            Console.WriteLine($"| 1 channel, 64 KiB messages, {name} | {rate:0.0} MB/s | {rate / udp:0.00} |");
        }

        double sixteen = await ThroughputAsync(certificateA, certificateB, 16, 64 * 1024, duration);
        Console.WriteLine($"| 16 channels in parallel, 64 KiB messages | {sixteen:0.0} MB/s | {sixteen / udp:0.00} |");
        double small = await ThroughputAsync(certificateA, certificateB, 1, 100, duration);
        Console.WriteLine($"| 1 channel, 100-byte messages | {small * 1e6 / 100:0} msg/s ({small:0.0} MB/s) | {small / udp:0.00} |");

        var setups = new List<double>();
        for (int i = 0; i < 11; i++)
        {
            double ms = await SetupAsync(certificateA, certificateB);
            if (i > 0)
            {
                setups.Add(ms);
            }
        }

        setups.Sort();
        Console.WriteLine($"| New pair to first message (median of 10; min {setups[0]:0.0}, max {setups[^1]:0.0}) | {setups[5]:0.0} ms | |");
    }

    private static double RawUdp(TimeSpan duration)
    {
        using var receiver = UdpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var sender = UdpSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        long received = 0;
        receiver.Start((_, data, _) => Interlocked.Add(ref received, data.Length));
        var payload = new byte[DatagramSize];
        var target = receiver.LocalEndPoint;
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < duration)
        {
            for (int i = 0; i < 64; i++)
            {
                sender.TrySend(payload, target);
            }
        }

        double elapsed = stopwatch.Elapsed.TotalSeconds;
        Thread.Sleep(100);
        return Interlocked.Read(ref received) / elapsed / 1e6;
    }

    private static async Task<double> DtlsOnlyAsync(RTCCertificate a, RTCCertificate b, TimeSpan duration)
    {
        await using var pair = await PeerPair.ConnectAsync(a, b);
        long received = 0;
        pair.DtlsB.Receiver = data => Interlocked.Add(ref received, data.Length);
        var payload = new byte[DatagramSize - 40];
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < duration)
        {
            for (int i = 0; i < 64; i++)
            {
                pair.DtlsA.TrySend(payload);
            }
        }

        double elapsed = stopwatch.Elapsed.TotalSeconds;
        await Task.Delay(100);
        return Interlocked.Read(ref received) / elapsed / 1e6;
    }

    private static async Task<double> ThroughputAsync(RTCCertificate a, RTCCertificate b, int channels, int messageSize, TimeSpan duration, DtlsTransportOptions? dtls = null)
    {
        await using var pair = await PeerPair.ConnectAsync(a, b, dtls: dtls);
        long received = 0;
        var ends = new List<(RTCDataChannel Local, RTCDataChannel Remote)>();
        for (int i = 0; i < channels; i++)
        {
            var end = await pair.OpenChannelAsync("bulk" + i);
            end.Remote.MessageReceived += (_, m) => Interlocked.Add(ref received, m.Span.Length);
            ends.Add(end);
        }

        var payload = new byte[messageSize];
        using var stop = new CancellationTokenSource(duration);
        var stopwatch = Stopwatch.StartNew();
        long start = Interlocked.Read(ref received);
        var senders = ends.Select(e => Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await e.Local.SendAsync(payload, stop.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
            }
        })).ToArray();
        await Task.WhenAll(senders);
        double elapsed = stopwatch.Elapsed.TotalSeconds;
        return (Interlocked.Read(ref received) - start) / elapsed / 1e6;
    }

    private static async Task<double> SetupAsync(RTCCertificate a, RTCCertificate b)
    {
        var stopwatch = Stopwatch.StartNew();
        await using var pair = await PeerPair.ConnectAsync(a, b);
        var (local, remote) = await pair.OpenChannelAsync("first");
        var got = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        remote.MessageReceived += (_, _) => got.TrySetResult();
        local.Send("first");
        await got.Task.WaitAsync(TimeSpan.FromSeconds(10));
        return stopwatch.Elapsed.TotalMilliseconds;
    }
}
