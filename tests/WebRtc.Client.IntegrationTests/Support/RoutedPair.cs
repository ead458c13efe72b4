using System.Net;

namespace WebRtc.Client.IntegrationTests.Support;

/// <summary>
/// Two clients with public addresses, routed to each other through the "internet" namespace
/// without NAT, for ICE-TCP: after <see cref="TwoClientTopology.BlockUdpBetweenClientsAsync"/>
/// only TCP connects them.
/// <code>
///   cliA 10.211.1.2 -- 10.211.1.1 pub 10.211.2.1 -- 10.211.2.2 cliB
///                      server 10.211.0.10 (on lo)
/// </code>
/// </summary>
internal sealed class RoutedPair : TwoClientTopology
{
    private RoutedPair()
        : base("10.211", IPAddress.Parse("10.211.1.2"), IPAddress.Parse("10.211.2.2"))
    {
    }

    public static Task<RoutedPair> CreateAsync() => BuildAsync(new RoutedPair());

    protected override async Task SetUpAsync()
    {
        await SetUpPublicAsync();
        foreach (var side in new[] { NatSide.A, NatSide.B })
        {
            int n = side == NatSide.A ? 1 : 2;
            var client = await AddClientAsync(side);
            await LinkAsync(Public, side == NatSide.A ? "to-a" : "to-b", $"10.211.{n}.1/24", client, "eth0", $"10.211.{n}.2/24");
            await Ip(client, "route", "add", "default", "via", $"10.211.{n}.1");
        }
    }
}
