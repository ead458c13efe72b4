using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using WebRtc.Client.IntegrationTests.Support;
using WebRtc.Client.Net;

namespace WebRtc.Client.IntegrationTests.Ice;

/// <summary>What a test wants of the coturn it starts, beyond the defaults (UDP and TCP, user test:test, realm test).</summary>
internal sealed record CoturnOptions
{
    /// <summary>Address to listen and relay on (loopback by default).</summary>
    public IPAddress? Listen { get; init; }

    /// <summary>Network namespace to run coturn in (<c>ip netns exec</c>); null for the test's own.</summary>
    public string? Netns { get; init; }

    /// <summary>
    /// Network namespace to run coturn in, asked from inside whether coturn is up: the test's own
    /// namespace may have no route to it (a <see cref="TwoClientTopology"/>). Wins over <see cref="Netns"/>.
    /// </summary>
    public NetworkNamespace? Namespace { get; init; }

    /// <summary><c>--user-quota</c>: most allocations at once per user; null for coturn's default (no limit).</summary>
    public int? UserQuota { get; init; }

    /// <summary>Also listen on TLS, with a self-signed certificate the fixture writes as PEM.</summary>
    public bool Tls { get; init; }
}

/// <summary>
/// A real coturn (<c>turnserver</c>) on free loopback ports, started and stopped by the test. It
/// logs verbosely (<c>-v</c>) to stdout; the lines are kept so tests can check what coturn did
/// (<see cref="WaitForLogAsync"/>). UDP and TCP share <see cref="EndPoint"/>'s port; TLS, when asked
/// for, has its own.
/// </summary>
internal sealed class CoturnServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _log = [];
    private readonly string? _certificateDirectory;

    private CoturnServer(Process process, IPEndPoint endPoint, IPEndPoint? tlsEndPoint, string? certificateDirectory, X509Certificate2? certificate)
    {
        _process = process;
        EndPoint = endPoint;
        TlsEndPoint = tlsEndPoint;
        _certificateDirectory = certificateDirectory;
        Certificate = certificate;
    }

    /// <summary>The UDP listening address (STUN/TURN over UDP).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The TCP listening address: coturn listens on TCP on the same port.</summary>
    public IPEndPoint TcpEndPoint => EndPoint;

    /// <summary>The TLS listening address, when started with <see cref="CoturnOptions.Tls"/>.</summary>
    public IPEndPoint? TlsEndPoint { get; }

    /// <summary>The self-signed certificate coturn presents on TLS.</summary>
    public X509Certificate2? Certificate { get; }

    public const string Username = "test";
    public const string Password = "test";
    public const string Realm = "test";

    /// <summary>coturn's log so far, one line per entry.</summary>
    public IReadOnlyList<string> LogLines
    {
        get
        {
            lock (_log)
            {
                return [.. _log];
            }
        }
    }

    /// <summary>Starts coturn on <paramref name="listen"/> (loopback by default), inside network namespace <paramref name="netns"/> when given.</summary>
    public static Task<CoturnServer> StartAsync(IPAddress? listen = null, string? netns = null) =>
        StartAsync(new CoturnOptions { Listen = listen, Netns = netns });

    /// <summary>Starts coturn on <paramref name="listen"/> inside <paramref name="netns"/> (see <see cref="CoturnOptions.Namespace"/>).</summary>
    public static Task<CoturnServer> StartAsync(IPAddress listen, NetworkNamespace netns) =>
        StartAsync(new CoturnOptions { Listen = listen, Namespace = netns });

    /// <summary>Starts coturn as <paramref name="options"/> say.</summary>
    public static async Task<CoturnServer> StartAsync(CoturnOptions options)
    {
        string turnserver = ExternalDependency.Require("turnserver", "coturn");
        var listen = options.Listen ?? IPAddress.Loopback;
        // Ports are free in the test's own namespace; a fresh namespace has all of them free.
        int port = FreePort();
        int relayMin = FreeUdpPort();
        int? tlsPort = options.Tls ? FreePort() : null;
        string? netns = options.Namespace?.Name ?? options.Netns;
        SocketFactory probeSockets = options.Namespace?.SocketFactory ?? ((family, type, protocol) => new Socket(family, type, protocol));
        var info = new ProcessStartInfo(netns is null ? turnserver : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (netns is not null)
        {
            foreach (var arg in new[] { "netns", "exec", netns, turnserver })
            {
                info.ArgumentList.Add(arg);
            }
        }

        var arguments = new List<string>
        {
            "-n", $"--listening-ip={listen}", $"--relay-ip={listen}", $"--listening-port={port}",
            "--lt-cred-mech", $"--user={Username}:{Password}", $"--realm={Realm}", "--no-dtls",
            "--allow-loopback-peers", "--no-cli", $"--min-port={relayMin}", $"--max-port={relayMin + 20}",
            "--log-file=stdout", "--simple-log", "-v",
        };
        if (options.UserQuota is { } quota)
        {
            arguments.Add($"--user-quota={quota}");
        }

        string? certificateDirectory = null;
        X509Certificate2? certificate = null;
        if (tlsPort is { } tls)
        {
            (certificateDirectory, certificate) = WriteSelfSignedCertificate();
            arguments.Add($"--tls-listening-port={tls}");
            arguments.Add($"--cert={Path.Combine(certificateDirectory, "cert.pem")}");
            arguments.Add($"--pkey={Path.Combine(certificateDirectory, "key.pem")}");
        }
        else
        {
            arguments.Add("--no-tls");
        }

        foreach (var arg in arguments)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("turnserver did not start");
        var server = new CoturnServer(process, new IPEndPoint(listen, port), tlsPort is { } p ? new IPEndPoint(listen, p) : null, certificateDirectory, certificate);
        process.OutputDataReceived += (_, e) => server.AddLogLine(e.Data);
        process.ErrorDataReceived += (_, e) => server.AddLogLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilAnsweringAsync(probeSockets);
            if (server.TlsEndPoint is not null)
            {
                await WaitUntilAcceptingAsync(server.TlsEndPoint, probeSockets);
            }
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>
    /// Waits until coturn has logged a line containing <paramref name="contains"/> at or after
    /// line <paramref name="fromLine"/>, and returns it.
    /// </summary>
    /// <exception cref="TimeoutException">No such line within <paramref name="timeout"/>; the message has the log's tail.</exception>
    public async Task<string> WaitForLogAsync(string contains, TimeSpan timeout, int fromLine = 0)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            lock (_log)
            {
                for (int i = fromLine; i < _log.Count; i++)
                {
                    if (_log[i].Contains(contains, StringComparison.Ordinal))
                    {
                        return _log[i];
                    }
                }
            }

            if (stopwatch.Elapsed > timeout)
            {
                var tail = LogLines.TakeLast(30);
                throw new TimeoutException($"coturn did not log \"{contains}\" within {timeout.TotalSeconds} s. Last lines:\n{string.Join('\n', tail)}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>How many lines coturn has logged so far (a mark for <see cref="WaitForLogAsync"/>).</summary>
    public int LogLineCount
    {
        get
        {
            lock (_log)
            {
                return _log.Count;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Certificate?.Dispose();
        if (_certificateDirectory is not null)
        {
            Directory.Delete(_certificateDirectory, recursive: true);
        }
    }

    private void AddLogLine(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.Add(line);
            }
        }
    }

    /// <summary>A self-signed ECDSA P-256 certificate for localhost and 127.0.0.1, as cert.pem and key.pem in a new temp directory.</summary>
    private static (string Directory, X509Certificate2 Certificate) WriteSelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=coturn test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        string directory = Directory.CreateTempSubdirectory("coturn-tls-").FullName;
        File.WriteAllText(Path.Combine(directory, "cert.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "key.pem"), key.ExportPkcs8PrivateKeyPem());
        return (directory, certificate);
    }

    private static int FreeUdpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    /// <summary>A port free for both UDP and TCP, since coturn listens on both.</summary>
    private static int FreePort()
    {
        for (int attempt = 0; ; attempt++)
        {
            int port = FreeUdpPort();
            try
            {
                using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException) when (attempt < 20)
            {
            }
        }
    }

    // TCP connects until the listener takes them (coturn opens its listeners one by one).
    private static async Task WaitUntilAcceptingAsync(IPEndPoint endPoint, SocketFactory sockets)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            using var probe = sockets(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(endPoint);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"turnserver did not accept TCP on {endPoint} within 5 s");
    }

    // A plain Binding request until the server answers, so tests do not race its start-up.
    private async Task WaitUntilAnsweringAsync(SocketFactory sockets)
    {
        using var client = sockets(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.Bind(new IPEndPoint(IPAddress.IsLoopback(EndPoint.Address) ? IPAddress.Loopback : IPAddress.Any, 0));
        var answer = new byte[1500];
        byte[] request = [0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        for (int attempt = 0; attempt < 100; attempt++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"turnserver exited with code {_process.ExitCode}. Log:\n{string.Join('\n', LogLines.TakeLast(30))}");
            }

            await client.SendToAsync(request, EndPoint);
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            try
            {
                await client.ReceiveAsync(answer, wait.Token);
                return;
            }
            catch (OperationCanceledException)
            {
            }
            catch (SocketException)
            {
                // ICMP port unreachable while coturn is still binding.
                await Task.Delay(50);
            }
        }

        throw new TimeoutException("turnserver did not answer a Binding request within 10 s");
    }
}
