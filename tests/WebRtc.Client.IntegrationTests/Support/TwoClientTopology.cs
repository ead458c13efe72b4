using System.Globalization;
using System.Net;

namespace WebRtc.Client.IntegrationTests.Support;

/// <summary>One of the two clients of a <see cref="TwoClientTopology"/>.</summary>
internal enum NatSide
{
    A,
    B,
}

/// <summary>
/// Network namespaces made by the test: an "internet" namespace <see cref="Public"/> holding a
/// server address (for coturn, a STUN/TURN or TCP listener) and routing between two sides, each
/// ending in a client namespace (<see cref="ClientA"/>, <see cref="ClientB"/>) where a peer lives
/// by taking its sockets from the namespace's <see cref="NetworkNamespace.SocketFactory"/>.
/// Side A's traffic enters <see cref="Public"/> from <c>{prefix}.1.0/24</c>, side B's from
/// <c>{prefix}.2.0/24</c>; the firewall methods drop traffic there with nftables. Nothing is
/// added to the test's own namespace; dispose deletes every namespace (and so every link and table).
/// Firewall calls are meant for one test flow, not concurrent callers.
/// </summary>
internal abstract class TwoClientTopology : IAsyncDisposable
{
    private const string FirewallTable = "wrtc_fw";

    private readonly List<NetworkNamespace> _namespaces = [];
    private readonly string _prefix;
    private readonly string _id = NetworkNamespace.UniqueName("topo");
    // Ordered so the same set of knobs always renders the same ruleset.
    private readonly SortedSet<string> _firewall = new(StringComparer.Ordinal);
    private NetworkNamespace? _public;
    private NetworkNamespace? _clientA;
    private NetworkNamespace? _clientB;

    protected TwoClientTopology(string prefix, IPAddress clientA, IPAddress clientB)
    {
        _prefix = prefix;
        ServerAddress = IPAddress.Parse(prefix + ".0.10");
        ClientAAddress = clientA;
        ClientBAddress = clientB;
    }

    /// <summary>The "internet": owns <see cref="ServerAddress"/> and forwards between the sides.</summary>
    public NetworkNamespace Public => _public ?? throw new InvalidOperationException("not set up");

    public NetworkNamespace ClientA => _clientA ?? throw new InvalidOperationException("not set up");

    public NetworkNamespace ClientB => _clientB ?? throw new InvalidOperationException("not set up");

    /// <summary>An address of <see cref="Public"/> itself: bind servers there (coturn: <c>CoturnServer.StartAsync(ServerAddress, Public)</c>).</summary>
    public IPAddress ServerAddress { get; }

    /// <summary>The address client A's sockets have in <see cref="ClientA"/> (a host candidate's).</summary>
    public IPAddress ClientAAddress { get; }

    public IPAddress ClientBAddress { get; }

    /// <summary>The names of every namespace this topology made, to check they are gone after dispose.</summary>
    public IReadOnlyList<string> NamespaceNames => _namespaces.Select(n => n.Name).ToArray();

    public NetworkNamespace Client(NatSide side) => side == NatSide.A ? ClientA : ClientB;

    public IPAddress ClientAddress(NatSide side) => side == NatSide.A ? ClientAAddress : ClientBAddress;

    /// <summary>Drops UDP between the two sides, both ways: only a relay through the server connects them.</summary>
    public Task BlockUdpBetweenClientsAsync() => BlockBetweenClientsAsync("udp");

    /// <summary>Drops TCP between the two sides, both ways.</summary>
    public Task BlockTcpBetweenClientsAsync() => BlockBetweenClientsAsync("tcp");

    /// <summary>Drops UDP from <paramref name="side"/> to the server address: that client must reach TURN over TCP or TLS.</summary>
    public Task BlockUdpToServerAsync(NatSide side) =>
        ApplyFirewallAsync(() => _firewall.Add($"input ip saddr {SideSubnet(side)} ip daddr {ServerAddress} meta l4proto udp counter drop"));

    /// <summary>Removes every rule the Block methods added.</summary>
    public Task ClearFirewallAsync() => ApplyFirewallAsync(_firewall.Clear);

    public async ValueTask DisposeAsync()
    {
        // Best effort, each step on its own: set-up may have stopped half way.
        for (int i = _namespaces.Count - 1; i >= 0; i--)
        {
            try
            {
                await _namespaces[i].DisposeAsync();
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
            {
                TestContext.Progress.WriteLine($"could not delete namespace {_namespaces[i].Name}: {e.Message}");
            }
        }
    }

    /// <summary>Builds the namespaces and links; the caller disposes on failure.</summary>
    protected abstract Task SetUpAsync();

    /// <summary>Runs <see cref="SetUpAsync"/>, deleting whatever it made when it fails.</summary>
    protected static async Task<T> BuildAsync<T>(T topology)
        where T : TwoClientTopology
    {
        // The namespaces themselves leave the test's namespace alone, but /run/netns is the host's.
        await TestShell.RequireIsolatedNamespaceAsync("a network topology test");
        try
        {
            await topology.SetUpAsync();
        }
        catch
        {
            await topology.DisposeAsync();
            throw;
        }

        return topology;
    }

    /// <summary>Creates <see cref="Public"/>: the server address, forwarding on, an empty firewall.</summary>
    protected async Task SetUpPublicAsync()
    {
        _public = await AddNamespaceAsync("pub");
        // On lo: this kernel has no dummy links, and an address of lo answers from every link.
        await Ip(_public, "addr", "add", ServerAddress + "/32", "dev", "lo");
        EnableForwarding(_public);
        await _public.MustExecAsync("nft",
            $"table ip {FirewallTable} {{ chain forward {{ type filter hook forward priority 0; }}; chain input {{ type filter hook input priority 0; }}; }}");
    }

    protected async Task<NetworkNamespace> AddClientAsync(NatSide side)
    {
        var client = await AddNamespaceAsync(side == NatSide.A ? "cliA" : "cliB");
        if (side == NatSide.A)
        {
            _clientA = client;
        }
        else
        {
            _clientB = client;
        }

        return client;
    }

    protected async Task<NetworkNamespace> AddNamespaceAsync(string role)
    {
        var created = await NetworkNamespace.CreateAsync(_id + "-" + role);
        _namespaces.Add(created);
        return created;
    }

    /// <summary>The subnet a side's traffic comes from when it enters <see cref="Public"/>.</summary>
    protected string SideSubnet(NatSide side) => string.Create(CultureInfo.InvariantCulture, $"{_prefix}.{(side == NatSide.A ? 1 : 2)}.0/24");

    /// <summary>A veth pair made directly inside the two namespaces, addressed and up.</summary>
    protected static async Task LinkAsync(NetworkNamespace left, string leftName, string leftAddress, NetworkNamespace right, string rightName, string rightAddress)
    {
        await TestShell.MustAsync("ip", "link", "add", "name", leftName, "netns", left.Name, "type", "veth", "peer", "name", rightName, "netns", right.Name);
        await Ip(left, "addr", "add", leftAddress, "dev", leftName);
        await Ip(right, "addr", "add", rightAddress, "dev", rightName);
        await Ip(left, "link", "set", leftName, "up");
        await Ip(right, "link", "set", rightName, "up");
    }

    protected static Task Ip(NetworkNamespace ns, params string[] args) => TestShell.MustAsync("ip", ["-n", ns.Name, .. args]);

    protected static void EnableForwarding(NetworkNamespace ns) => ns.SetSysctl("net.ipv4.ip_forward", "1");

    private Task BlockBetweenClientsAsync(string protocol) => ApplyFirewallAsync(() =>
    {
        _firewall.Add($"forward ip saddr {SideSubnet(NatSide.A)} ip daddr {SideSubnet(NatSide.B)} meta l4proto {protocol} counter drop");
        _firewall.Add($"forward ip saddr {SideSubnet(NatSide.B)} ip daddr {SideSubnet(NatSide.A)} meta l4proto {protocol} counter drop");
    });

    // The whole rule set again in one nft transaction: adding a knob twice changes nothing, and
    // no packet sees half of it.
    private async Task ApplyFirewallAsync(Action change)
    {
        change();
        var script = string.Join('\n', _firewall.Select(rule => $"add rule ip {FirewallTable} {rule}").Prepend($"flush table ip {FirewallTable}"));
        await Public.MustExecAsync("nft", script);
    }
}
