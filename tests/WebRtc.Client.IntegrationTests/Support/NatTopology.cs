using System.Net;

namespace WebRtc.Client.IntegrationTests.Support;

/// <summary>How a <see cref="NatTopology"/> router maps and filters UDP (RFC 4787 terms).</summary>
internal enum NatBehavior
{
    /// <summary>
    /// Endpoint-independent mapping and filtering: the port a client socket gets is the same for
    /// every destination, and anyone may send to it while the mapping lives (2 min after the
    /// client's last datagram out).
    /// </summary>
    FullCone,

    /// <summary>Endpoint-independent mapping, address-and-port-dependent filtering: only the endpoints the client sent to get in.</summary>
    PortRestrictedCone,

    /// <summary>Address-and-port-dependent mapping and filtering: a new external port for each destination.</summary>
    Symmetric,
}

/// <summary>
/// Two clients, each behind its own NAT router, and a server on the "internet" between them:
/// <code>
///   cliA 192.168.1.2 -- 192.168.1.1 natA 10.210.1.1 --.                  .-- 10.210.2.1 natB 192.168.2.1 -- 192.168.2.2 cliB
///                                          10.210.1.254 pub 10.210.2.254
///                                             server 10.210.0.10 (on lo)
/// </code>
/// NAT A is full cone and NAT B symmetric unless told otherwise, so without a firewall knob the
/// clients can reach each other directly (B's checks open A's cone) and with
/// <see cref="TwoClientTopology.BlockUdpBetweenClientsAsync"/> only a TURN relay connects them.
/// Unsolicited traffic to a router is dropped silently, as home routers do (no ICMP errors).
/// </summary>
internal sealed class NatTopology : TwoClientTopology
{
    private readonly NatBehavior _behaviorA;
    private readonly NatBehavior _behaviorB;
    private NetworkNamespace? _routerA;
    private NetworkNamespace? _routerB;

    private NatTopology(NatBehavior a, NatBehavior b)
        : base("10.210", IPAddress.Parse("192.168.1.2"), IPAddress.Parse("192.168.2.2"))
    {
        _behaviorA = a;
        _behaviorB = b;
    }

    /// <summary>NAT A's public address: what the server and client B see as client A's.</summary>
    public IPAddress NatAPublic { get; } = IPAddress.Parse("10.210.1.1");

    public IPAddress NatBPublic { get; } = IPAddress.Parse("10.210.2.1");

    public NetworkNamespace RouterA => _routerA ?? throw new InvalidOperationException("not set up");

    public NetworkNamespace RouterB => _routerB ?? throw new InvalidOperationException("not set up");

    public IPAddress NatPublic(NatSide side) => side == NatSide.A ? NatAPublic : NatBPublic;

    public static Task<NatTopology> CreateAsync(NatBehavior natA = NatBehavior.FullCone, NatBehavior natB = NatBehavior.Symmetric) =>
        BuildAsync(new NatTopology(natA, natB));

    protected override async Task SetUpAsync()
    {
        await SetUpPublicAsync();
        _routerA = await SetUpSideAsync(NatSide.A, _behaviorA);
        _routerB = await SetUpSideAsync(NatSide.B, _behaviorB);
    }

    private async Task<NetworkNamespace> SetUpSideAsync(NatSide side, NatBehavior behavior)
    {
        int n = side == NatSide.A ? 1 : 2;
        string lower = side == NatSide.A ? "a" : "b";
        var router = await AddNamespaceAsync("nat" + side);
        var client = await AddClientAsync(side);
        await LinkAsync(Public, "to-" + lower, $"10.210.{n}.254/24", router, "wan", $"{NatPublic(side)}/24");
        await LinkAsync(router, "lan", $"192.168.{n}.1/24", client, "eth0", $"192.168.{n}.2/24");
        await Ip(router, "route", "add", "default", "via", $"10.210.{n}.254");
        await Ip(client, "route", "add", "default", "via", $"192.168.{n}.1");
        EnableForwarding(router);
        await router.MustExecAsync("nft", NatRules(behavior, $"192.168.{n}.2"));
        return router;
    }

    // Linux masquerade keeps the client's source port whenever that port is free on the public
    // address, whatever the destination: with one client behind the router that is always, so the
    // mapping is endpoint-independent. "random" draws a port for each new flow instead: symmetric.
    // Conntrack lets in only replies from the endpoint a flow went to (port-restricted filtering);
    // full cone adds a set of the mapped ports, refreshed by every datagram out, and forwards any
    // datagram to one of them to the client, on the same port.
    private static string NatRules(NatBehavior behavior, string client)
    {
        string masquerade = behavior == NatBehavior.Symmetric ? "masquerade random" : "masquerade";
        string cone = behavior != NatBehavior.FullCone ? string.Empty : $$"""
              set mapped { type inet_service; flags timeout; }
              chain pre { type nat hook prerouting priority dstnat; iifname "wan" udp dport @mapped dnat ip to {{client}}; }
              chain mapped { type filter hook postrouting priority srcnat + 10; oifname "wan" meta l4proto udp update @mapped { udp sport timeout 120s }; }
            """;
        return $$"""
            table ip wrtc_nat {
            {{cone}}
              chain post { type nat hook postrouting priority srcnat; oifname "wan" {{masquerade}}; }
              chain in { type filter hook input priority 0; iifname "wan" ct state new drop; }
            }
            """;
    }
}
