using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using WebRtc.Client.IntegrationTests.Support;

namespace WebRtc.Client.IntegrationTests.Ice;

/// <summary>
/// The namespaces, NATs and firewall knobs the TURN and ICE-TCP tests stand on, checked with plain
/// sockets from each namespace's socket factory (no WebRTC code).
/// </summary>
public class NatTopologyTests
{
    // Generous: a datagram that is going to arrive does so in microseconds here.
    private static readonly TimeSpan Arrives = TimeSpan.FromSeconds(5);

    // How long an absent datagram is waited for; the kernel drops it or delivers it at once.
    private static readonly TimeSpan Absent = TimeSpan.FromMilliseconds(500);

    [Test]
    public async Task A_socket_from_the_factory_lives_in_its_namespace()
    {
        var address = IPAddress.Parse("10.212.0.1");
        string name;
        await using (var ns = await NetworkNamespace.CreateAsync(NetworkNamespace.UniqueName("ns")))
        {
            name = ns.Name;
            await ns.MustExecAsync("ip", "addr", "add", "10.212.0.1/32", "dev", "lo");

            using var receiver = Udp(ns, address);
            using var sender = Udp(ns, address);
            await sender.SendToAsync("hello"u8.ToArray(), receiver.LocalEndPoint!);
            var (from, payload) = await ReceiveAsync(receiver);

            using var here = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            var notHere = Assert.Throws<SocketException>(() => here.Bind(new IPEndPoint(address, 0)));
            // Interface enumeration opens a netlink socket, so on the namespace's thread it sees the namespace.
            var inside = ns.Invoke(() => NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(a => a.Address).ToArray());
            Assert.Multiple(() =>
            {
                Assert.That(payload, Is.EqualTo("hello"u8.ToArray()));
                Assert.That(from, Is.EqualTo(sender.LocalEndPoint));
                Assert.That(notHere!.SocketErrorCode, Is.EqualTo(SocketError.AddressNotAvailable));
                Assert.That(inside, Does.Contain(address));
            });
        }

        Assert.That(await NamespaceListAsync(), Does.Not.Contain(name));
    }

    [TestCase("A")]
    [TestCase("B")]
    public async Task The_server_sees_a_client_at_its_NATs_public_address(string side)
    {
        await using var topology = await NatTopology.CreateAsync();
        var s = Enum.Parse<NatSide>(side);
        using var server = Udp(topology.Public, topology.ServerAddress);
        using var client = Udp(topology.Client(s), topology.ClientAddress(s));
        await client.SendToAsync("ping"u8.ToArray(), server.LocalEndPoint!);

        var (from, _) = await ReceiveAsync(server);

        Assert.That(from.Address, Is.EqualTo(topology.NatPublic(s)));
    }

    [TestCase("FullCone", true)]
    [TestCase("PortRestrictedCone", true)]
    [TestCase("Symmetric", false)]
    public async Task A_NAT_maps_one_socket_to_one_port_unless_it_is_symmetric(string behavior, bool sameForEveryDestination)
    {
        await using var topology = await NatTopology.CreateAsync(Enum.Parse<NatBehavior>(behavior));
        Socket[] servers = [.. Enumerable.Range(0, 3).Select(_ => Udp(topology.Public, topology.ServerAddress))];
        using var client = Udp(topology.ClientA, topology.ClientAAddress);
        var ports = new List<int>();
        try
        {
            foreach (var server in servers)
            {
                await client.SendToAsync("ping"u8.ToArray(), server.LocalEndPoint!);
                ports.Add((await ReceiveAsync(server)).From.Port);
            }
        }
        finally
        {
            Array.ForEach(servers, s => s.Dispose());
        }

        // Symmetric: three destinations, three random draws; all equal by chance is one in billions.
        if (sameForEveryDestination)
        {
            Assert.That(ports.Distinct(), Has.Exactly(1).Items, string.Join(", ", ports));
            Assert.That(ports[0], Is.EqualTo(((IPEndPoint)client.LocalEndPoint!).Port), "the source port is kept");
        }
        else
        {
            Assert.That(ports.Distinct().Count(), Is.GreaterThan(1), string.Join(", ", ports));
        }
    }

    [TestCase("FullCone", true)]
    [TestCase("PortRestrictedCone", false)]
    [TestCase("Symmetric", false)]
    public async Task Only_a_full_cone_lets_in_an_endpoint_the_client_never_sent_to(string behavior, bool open)
    {
        await using var topology = await NatTopology.CreateAsync(Enum.Parse<NatBehavior>(behavior));
        using var contacted = Udp(topology.Public, topology.ServerAddress);
        using var stranger = Udp(topology.Public, topology.ServerAddress);
        using var client = Udp(topology.ClientA, topology.ClientAAddress);
        await client.SendToAsync("ping"u8.ToArray(), contacted.LocalEndPoint!);
        var (mapped, _) = await ReceiveAsync(contacted);

        await stranger.SendToAsync("stranger"u8.ToArray(), mapped);
        var fromStranger = await TryReceiveAsync(client, Absent);
        await contacted.SendToAsync("reply"u8.ToArray(), mapped);
        var reply = await ReceiveAsync(client);

        Assert.Multiple(() =>
        {
            Assert.That(reply.From, Is.EqualTo(contacted.LocalEndPoint), "the contacted endpoint always gets in");
            if (open)
            {
                Assert.That(fromStranger?.From, Is.EqualTo(stranger.LocalEndPoint));
            }
            else
            {
                Assert.That(fromStranger, Is.Null);
            }
        });
    }

    [Test]
    public async Task Blocking_udp_between_the_clients_leaves_only_the_server_and_clearing_restores_it()
    {
        await using var topology = await NatTopology.CreateAsync();
        using var server = Udp(topology.Public, topology.ServerAddress);
        using var a = Udp(topology.ClientA, topology.ClientAAddress);
        using var b = Udp(topology.ClientB, topology.ClientBAddress);
        await a.SendToAsync("where am I"u8.ToArray(), server.LocalEndPoint!);
        var (aMapped, _) = await ReceiveAsync(server);
        // B's datagram opens B's symmetric NAT towards A's mapping and gets through A's full cone:
        // its source is the port B's NAT drew for A, the one port A can answer on.
        await b.SendToAsync("from b"u8.ToArray(), aMapped);
        var (bMapped, _) = await ReceiveAsync(a);
        await a.SendToAsync("from a"u8.ToArray(), bMapped);
        var direct = await ReceiveAsync(b);

        await topology.BlockUdpBetweenClientsAsync();
        await topology.BlockUdpBetweenClientsAsync();
        await a.SendToAsync("blocked"u8.ToArray(), bMapped);
        var aToB = await TryReceiveAsync(b, Absent);
        await b.SendToAsync("blocked"u8.ToArray(), aMapped);
        var bToA = await TryReceiveAsync(a, Absent);
        await a.SendToAsync("a to server"u8.ToArray(), server.LocalEndPoint!);
        var aToServer = await ReceiveAsync(server);
        await b.SendToAsync("b to server"u8.ToArray(), server.LocalEndPoint!);
        var bToServer = await ReceiveAsync(server);

        await topology.ClearFirewallAsync();
        await a.SendToAsync("again"u8.ToArray(), bMapped);
        var cleared = await ReceiveAsync(b);

        Assert.Multiple(() =>
        {
            Assert.That(bMapped.Address, Is.EqualTo(topology.NatBPublic));
            Assert.That(direct.From, Is.EqualTo(aMapped), "before the block the clients talk directly");
            Assert.That(aToB, Is.Null);
            Assert.That(bToA, Is.Null);
            Assert.That(aToServer.From, Is.EqualTo(aMapped));
            Assert.That(bToServer.From.Address, Is.EqualTo(topology.NatBPublic));
            Assert.That(cleared.Payload, Is.EqualTo("again"u8.ToArray()));
        });
    }

    [Test]
    public async Task Blocking_udp_to_the_server_leaves_tcp_and_the_other_side()
    {
        await using var topology = await NatTopology.CreateAsync();
        using var udpServer = Udp(topology.Public, topology.ServerAddress);
        using var tcpServer = Listen(topology.Public, topology.ServerAddress);
        using var a = Udp(topology.ClientA, topology.ClientAAddress);
        using var b = Udp(topology.ClientB, topology.ClientBAddress);

        await a.SendToAsync("passes"u8.ToArray(), udpServer.LocalEndPoint!);
        var beforeBlock = await ReceiveAsync(udpServer);

        await topology.BlockUdpToServerAsync(NatSide.A);
        await a.SendToAsync("dropped"u8.ToArray(), udpServer.LocalEndPoint!);
        var aUdp = await TryReceiveAsync(udpServer, Absent);
        await b.SendToAsync("passes"u8.ToArray(), udpServer.LocalEndPoint!);
        var bUdp = await ReceiveAsync(udpServer);
        var (aTcpClient, aTcpAccepted) = await ConnectAsync(topology.ClientA, tcpServer);
        using (aTcpClient)
        using (aTcpAccepted)
        {
            Assert.Multiple(() =>
            {
                Assert.That(beforeBlock.From.Address, Is.EqualTo(topology.NatAPublic));
                Assert.That(aUdp, Is.Null);
                Assert.That(bUdp.From.Address, Is.EqualTo(topology.NatBPublic));
                Assert.That(((IPEndPoint)aTcpAccepted.RemoteEndPoint!).Address, Is.EqualTo(topology.NatAPublic));
            });
        }
    }

    [Test]
    public async Task A_routed_pair_keeps_tcp_when_udp_between_the_clients_is_blocked()
    {
        await using var pair = await RoutedPair.CreateAsync();
        using var listener = Listen(pair.ClientB, pair.ClientBAddress);
        using var b = Udp(pair.ClientB, pair.ClientBAddress);
        using var a = Udp(pair.ClientA, pair.ClientAAddress);
        await a.SendToAsync("open"u8.ToArray(), b.LocalEndPoint!);
        var beforeBlock = await ReceiveAsync(b);

        await pair.BlockUdpBetweenClientsAsync();
        await a.SendToAsync("blocked"u8.ToArray(), b.LocalEndPoint!);
        var afterBlock = await TryReceiveAsync(b, Absent);
        var (client, accepted) = await ConnectAsync(pair.ClientA, listener);
        using (client)
        using (accepted)
        {
            await client.SendAsync("over tcp"u8.ToArray());
            var buffer = new byte[16];
            int read = await accepted.ReceiveAsync(buffer);
            Assert.Multiple(() =>
            {
                Assert.That(beforeBlock.From, Is.EqualTo(a.LocalEndPoint), "no NAT: B sees A's own address");
                Assert.That(afterBlock, Is.Null);
                Assert.That(accepted.RemoteEndPoint, Is.EqualTo(client.LocalEndPoint));
                Assert.That(buffer[..read], Is.EqualTo("over tcp"u8.ToArray()));
            });
        }
    }

    [Test]
    public async Task Blocking_tcp_between_the_clients_stops_a_connect()
    {
        await using var pair = await RoutedPair.CreateAsync();
        using var listener = Listen(pair.ClientB, pair.ClientBAddress);
        await pair.BlockTcpBetweenClientsAsync();
        using var client = pair.ClientA.SocketFactory(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var wait = new CancellationTokenSource(Absent);

        // The SYN is dropped silently, so the connect would only end with the kernel's retries.
        Assert.That(async () => await client.ConnectAsync(listener.LocalEndPoint!, wait.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Coturn_in_the_public_namespace_starts_and_reflects_each_NATs_address()
    {
        await using var topology = await NatTopology.CreateAsync();
        // TLS too: its start-up probe connects from inside Public, like the UDP one.
        await using var coturn = await CoturnServer.StartAsync(new CoturnOptions { Listen = topology.ServerAddress, Namespace = topology.Public, Tls = true });
        var reflexive = new List<IPEndPoint>();
        foreach (var side in new[] { NatSide.A, NatSide.B })
        {
            using var client = Udp(topology.Client(side), topology.ClientAddress(side));
            reflexive.Add(await StunBindingAsync(client, coturn.EndPoint));
        }

        Assert.That(reflexive.Select(e => e.Address), Is.EqualTo(new[] { topology.NatAPublic, topology.NatBPublic }));
    }

    [Test]
    public async Task Disposing_a_topology_removes_every_namespace_and_leaves_the_test_namespace_as_it_was()
    {
        var linksBefore = (await TestShell.RunAsync("ip", "-o", "link", "show")).Output;
        var tablesBefore = (await TestShell.RunAsync("nft", "list", "tables")).Output;
        var names = new List<string>();
        await using (var nat = await NatTopology.CreateAsync())
        {
            names.AddRange(nat.NamespaceNames);
            await nat.BlockUdpBetweenClientsAsync();
            await nat.BlockUdpToServerAsync(NatSide.B);
        }

        await using (var pair = await RoutedPair.CreateAsync())
        {
            names.AddRange(pair.NamespaceNames);
            await pair.BlockTcpBetweenClientsAsync();
        }

        var left = await NamespaceListAsync();
        var linksAfter = (await TestShell.RunAsync("ip", "-o", "link", "show")).Output;
        var tablesAfter = (await TestShell.RunAsync("nft", "list", "tables")).Output;
        Assert.Multiple(() =>
        {
            Assert.That(names, Has.Count.EqualTo(5 + 3));
            Assert.That(names.Where(left.Contains), Is.Empty);
            Assert.That(linksAfter, Is.EqualTo(linksBefore));
            Assert.That(tablesAfter, Is.EqualTo(tablesBefore));
        });
    }

    private static Socket Udp(NetworkNamespace ns, IPAddress address)
    {
        var socket = ns.SocketFactory(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(address, 0));
        return socket;
    }

    private static Socket Listen(NetworkNamespace ns, IPAddress address)
    {
        var socket = ns.SocketFactory(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(address, 0));
        socket.Listen();
        return socket;
    }

    private static async Task<(Socket Client, Socket Accepted)> ConnectAsync(NetworkNamespace from, Socket listener)
    {
        var client = from.SocketFactory(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var wait = new CancellationTokenSource(Arrives);
            var accept = listener.AcceptAsync(wait.Token).AsTask();
            await client.ConnectAsync(listener.LocalEndPoint!, wait.Token);
            return (client, await accept);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static async Task<(IPEndPoint From, byte[] Payload)> ReceiveAsync(Socket socket) =>
        await TryReceiveAsync(socket, Arrives) ?? throw new TimeoutException($"nothing arrived at {socket.LocalEndPoint} within {Arrives}");

    private static async Task<(IPEndPoint From, byte[] Payload)?> TryReceiveAsync(Socket socket, TimeSpan wait)
    {
        var buffer = new byte[1500];
        using var timeout = new CancellationTokenSource(wait);
        try
        {
            var result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
            return ((IPEndPoint)result.RemoteEndPoint, buffer[..result.ReceivedBytes]);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static async Task<string[]> NamespaceListAsync()
    {
        // "name (id: 3)" or just "name", one a line.
        var (output, _) = await TestShell.RunAsync("ip", "netns", "list");
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')[0])];
    }

    // A bare RFC 5389 Binding request; returns the XOR-MAPPED-ADDRESS of the answer.
    private static async Task<IPEndPoint> StunBindingAsync(Socket client, IPEndPoint server)
    {
        byte[] request = [0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        await client.SendToAsync(request, server);
        var (_, answer) = await ReceiveAsync(client);
        for (int at = 20; at + 4 <= answer.Length;)
        {
            int type = BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(at));
            int length = BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(at + 2));
            if (type == 0x0020)
            {
                int port = BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(at + 6)) ^ 0x2112;
                uint address = BinaryPrimitives.ReadUInt32BigEndian(answer.AsSpan(at + 8)) ^ 0x2112A442;
                return new IPEndPoint(new IPAddress([(byte)(address >> 24), (byte)(address >> 16), (byte)(address >> 8), (byte)address]), port);
            }

            at += 4 + ((length + 3) & ~3);
        }

        throw new InvalidOperationException("the Binding response has no XOR-MAPPED-ADDRESS");
    }
}
