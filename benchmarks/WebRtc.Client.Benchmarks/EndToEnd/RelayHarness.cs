using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using WebRtc.Client.DataChannels;
using WebRtc.Client.Ice;

namespace WebRtc.Client.Benchmarks.EndToEnd;

/// <summary>
/// Connection setup and data-channel throughput through <see cref="RTCPeerConnection"/>, direct
/// next to relayed through a real coturn (TURN over UDP, TCP and TLS, both sides relay-only) in
/// the same run, on loopback. Setup is "new pair → first message received", non-trickle.
/// </summary>
internal static class RelayHarness
{
    private const int Trials = 10;
    private const int MessageSize = 64 * 1024;

    public static async Task RunAsync(double seconds)
    {
        using var coturn = Coturn.Start();
        await coturn.WaitReadyAsync();
        var paths = new (string Name, RTCConfiguration? Config)[]
        {
            ("direct (host UDP)", null),
            ("TURN over UDP", Relay($"turn:127.0.0.1:{coturn.Port}?transport=udp")),
            ("TURN over TCP", Relay($"turn:127.0.0.1:{coturn.Port}?transport=tcp")),
            ("TURN over TLS", Relay($"turns:127.0.0.1:{coturn.TlsPort}")),
        };

        Console.WriteLine($"coturn {coturn.Version}; {Trials} setups and {seconds} s of 64 KiB messages per path, one reliable ordered channel");
        Console.WriteLine("| path | setup median | setup worst | throughput MB/s |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (name, config) in paths)
        {
            var setups = new List<double>();
            for (int i = 0; i < Trials; i++)
            {
                var (a, b) = NewPair(config);
                var started = Stopwatch.GetTimestamp();
                await using (a)
                await using (b)
                {
                    var (sender, receiver) = await ConnectAsync(a, b);
                    var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    receiver.MessageReceived += (_, _) => first.TrySetResult();
                    sender.Send("x");
                    await first.Task.WaitAsync(TimeSpan.FromSeconds(30));
                    setups.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }

            double throughput;
            var (c, d) = NewPair(config);
            await using (c)
            await using (d)
            {
                var (sender, receiver) = await ConnectAsync(c, d);
                throughput = await ThroughputAsync(sender, receiver, TimeSpan.FromSeconds(seconds));
            }

            setups.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {setups[setups.Count / 2]:F1} ms | {setups[^1]:F1} ms | {throughput:F1} |"));
        }
    }

    private static RTCConfiguration Relay(string url) => new()
    {
        IceServers = { new RTCIceServer(url, "bench", "bench") },
        IceTransportPolicy = RTCIceTransportPolicy.Relay,
    };

    private static (RTCPeerConnection A, RTCPeerConnection B) NewPair(RTCConfiguration? config)
    {
        var options = new RTCPeerConnectionOptions
        {
            BindAddresses = [IPAddress.Loopback],
            IceTcp = false,
            TurnTlsCertificateValidation = (_, _, _, _) => true, // coturn's self-signed certificate
        };
        return (new RTCPeerConnection(Clone(config), options), new RTCPeerConnection(Clone(config), options));
    }

    private static RTCConfiguration Clone(RTCConfiguration? config)
    {
        var copy = new RTCConfiguration { IceTransportPolicy = config?.IceTransportPolicy ?? RTCIceTransportPolicy.All };
        foreach (var server in config?.IceServers ?? [])
        {
            copy.IceServers.Add(server);
        }

        return copy;
    }

    private static async Task<(RTCDataChannel Sender, RTCDataChannel Receiver)> ConnectAsync(RTCPeerConnection a, RTCPeerConnection b)
    {
        var remote = new TaskCompletionSource<RTCDataChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
        b.DataChannel += (_, e) => remote.TrySetResult(e.Channel);
        var local = a.CreateDataChannel("bench");
        var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        local.Open += (_, _) => opened.TrySetResult();
        await a.SetLocalDescriptionAsync();
        await GatheredAsync(a);
        await b.SetRemoteDescriptionAsync(a.LocalDescription!);
        await b.SetLocalDescriptionAsync();
        await GatheredAsync(b);
        await a.SetRemoteDescriptionAsync(b.LocalDescription!);
        await opened.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return (local, await remote.Task.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    private static async Task GatheredAsync(RTCPeerConnection pc)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pc.IceGatheringStateChange += (_, s) =>
        {
            if (s == RTCIceGatheringState.Complete)
            {
                done.TrySetResult();
            }
        };
        if (pc.IceGatheringState == RTCIceGatheringState.Complete)
        {
            return;
        }

        await done.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    // The sender pauses above 4 MiB buffered and resumes at bufferedamountlow (1 MiB), as issue 19's method says.
    private static async Task<double> ThroughputAsync(RTCDataChannel sender, RTCDataChannel receiver, TimeSpan duration)
    {
        long received = 0;
        receiver.MessageReceived += (_, m) => Interlocked.Add(ref received, m.Data.Length);
        sender.BufferedAmountLowThreshold = 1 << 20;
        var low = new SemaphoreSlim(0);
        sender.BufferedAmountLow += (_, _) => low.Release();
        var payload = new byte[MessageSize];
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            if (sender.BufferedAmount > 4 << 20)
            {
                await low.WaitAsync(TimeSpan.FromMilliseconds(100));
                continue;
            }

            sender.Send(payload);
        }

        double elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return Interlocked.Read(ref received) / elapsed / 1e6;
    }

    /// <summary>coturn on loopback with UDP/TCP and TLS (a self-signed certificate), user bench:bench.</summary>
    private sealed class Coturn : IDisposable
    {
        private readonly Process _process;
        private readonly string _directory;

        private Coturn(Process process, string directory, int port, int tlsPort)
        {
            _process = process;
            _directory = directory;
            Port = port;
            TlsPort = tlsPort;
        }

        public int Port { get; }

        public int TlsPort { get; }

        public string Version { get; private set; } = "?";

        public static Coturn Start()
        {
            string directory = Directory.CreateTempSubdirectory("wrtc-bench-coturn").FullName;
            using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
            {
                var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
                using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
                File.WriteAllText(Path.Combine(directory, "cert.pem"), cert.ExportCertificatePem());
                File.WriteAllText(Path.Combine(directory, "key.pem"), key.ExportPkcs8PrivateKeyPem());
            }

            int port = FreePort(), tlsPort = FreePort(), relayMin = FreePort();
            var info = new ProcessStartInfo("turnserver") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[]
            {
                "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", $"--listening-port={port}", $"--tls-listening-port={tlsPort}",
                $"--cert={Path.Combine(directory, "cert.pem")}", $"--pkey={Path.Combine(directory, "key.pem")}",
                "--lt-cred-mech", "--user=bench:bench", "--realm=bench", "--no-dtls", "--allow-loopback-peers", "--no-cli",
                $"--min-port={relayMin}", $"--max-port={relayMin + 200}", "--log-file=stdout", "--simple-log",
            })
            {
                info.ArgumentList.Add(arg);
            }

            var process = Process.Start(info) ?? throw new InvalidOperationException("turnserver did not start (apt-get install coturn)");
            var coturn = new Coturn(process, directory, port, tlsPort);
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line && line.Contains("Coturn Version", StringComparison.Ordinal))
                {
                    coturn.Version = line[(line.IndexOf("Coturn Version", StringComparison.Ordinal) + 15)..].Trim();
                }
            };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return coturn;
        }

        public async Task WaitReadyAsync()
        {
            for (int i = 0; i < 100; i++)
            {
                try
                {
                    using var tcp = new TcpClient();
                    await tcp.ConnectAsync(IPAddress.Loopback, TlsPort);
                    return;
                }
                catch (SocketException)
                {
                    await Task.Delay(50);
                }
            }

            throw new TimeoutException("coturn did not start listening");
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }

            _process.Dispose();
            Directory.Delete(_directory, recursive: true);
        }

        private static int FreePort()
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
    }
}
