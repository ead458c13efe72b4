using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using WebRtc.Client.IntegrationTests.Support;
using WebRtc.Client.Net;

namespace WebRtc.Client.IntegrationTests.Ice;

/// <summary>A real coturn (<c>turnserver</c>) on a free loopback port, started and stopped by the test.</summary>
internal sealed class CoturnServer : IAsyncDisposable
{
    private readonly Process _process;

    private CoturnServer(Process process, IPEndPoint endPoint)
    {
        _process = process;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>
    /// Starts coturn on <paramref name="listen"/> inside <paramref name="netns"/>, asking it from
    /// there whether it answers: the test's own namespace may have no route to it.
    /// </summary>
    public static Task<CoturnServer> StartAsync(IPAddress listen, NetworkNamespace netns) => StartAsync(listen, netns.Name, netns.SocketFactory);

    /// <summary>
    /// Starts coturn on <paramref name="listen"/> (loopback by default), inside network namespace
    /// <paramref name="netns"/> when given; the start-up probe's socket comes from
    /// <paramref name="probeSockets"/> (the test's namespace by default).
    /// </summary>
    public static async Task<CoturnServer> StartAsync(IPAddress? listen = null, string? netns = null, SocketFactory? probeSockets = null)
    {
        string turnserver = ExternalDependency.Require("turnserver", "coturn");
        listen ??= IPAddress.Loopback;
        // Ports are free in the test's own namespace; a fresh namespace has all of them free.
        int port = FreeUdpPort();
        int relayMin = FreeUdpPort();
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

        foreach (var arg in new[]
        {
            "-n", $"--listening-ip={listen}", $"--relay-ip={listen}", $"--listening-port={port}",
            "--lt-cred-mech", "--user=test:test", "--realm=test", "--no-tls", "--no-dtls",
            "--allow-loopback-peers", "--no-cli", $"--min-port={relayMin}", $"--max-port={relayMin + 20}",
            "--log-file=stdout", "--simple-log",
        })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("turnserver did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new CoturnServer(process, new IPEndPoint(listen, port));
        try
        {
            await server.WaitUntilAnsweringAsync(probeSockets ?? ((family, type, protocol) => new Socket(family, type, protocol)));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static int FreeUdpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
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
                throw new InvalidOperationException($"turnserver exited with code {_process.ExitCode}");
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
