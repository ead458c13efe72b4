using System.Net;

namespace WebRtc.Client.IntegrationTests.Ice;

/// <summary>
/// A NAT made of network namespaces the test creates: the test's own namespace is the private
/// side (an address 10.201.0.1 on lo) and routes through a veth pair to a "server" namespace
/// (10.200.0.2), masquerading to 10.200.0.1 on the way out. Only valid inside the isolated
/// namespace <c>./build.sh test</c> runs the tests in: it refuses to touch a host network.
/// </summary>
internal sealed class NatTestNetwork : IAsyncDisposable
{
    public static readonly IPAddress PrivateAddress = IPAddress.Parse("10.201.0.1");
    public static readonly IPAddress NatAddress = IPAddress.Parse("10.200.0.1");
    public static readonly IPAddress ServerAddress = IPAddress.Parse("10.200.0.2");

    private readonly string _netns;
    private readonly string _veth;
    private readonly string _table;

    private NatTestNetwork(string id)
    {
        _netns = "wrtc-srv-" + id;
        _veth = "wrtc" + id;
        _table = "wrtc_nat_" + id;
    }

    /// <summary>The server namespace's name, for <c>ip netns exec</c>.</summary>
    public string ServerNamespace => _netns;

    public static async Task<NatTestNetwork> CreateAsync()
    {
        // The test reconfigures its own namespace, so it must be a throwaway one.
        await TestShell.RequireIsolatedNamespaceAsync("the NAT test");

        string id = (Environment.ProcessId % 100000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var network = new NatTestNetwork(id);
        try
        {
            await network.SetUpAsync();
        }
        catch
        {
            await network.DisposeAsync();
            throw;
        }

        return network;
    }

    public async ValueTask DisposeAsync()
    {
        // Best effort: each step may fail when set-up stopped half way.
        await RunAsync("ip", "netns", "del", _netns);
        await RunAsync("ip", "link", "del", _veth + "a");
        await RunAsync("ip", "addr", "del", $"{PrivateAddress}/32", "dev", "lo");
        await RunAsync("nft", "delete", "table", "ip", _table);
    }

    private async Task SetUpAsync()
    {
        string a = _veth + "a", b = _veth + "b";
        await MustAsync("ip", "netns", "add", _netns);
        await MustAsync("ip", "link", "add", a, "type", "veth", "peer", "name", b);
        await MustAsync("ip", "link", "set", b, "netns", _netns);
        await MustAsync("ip", "addr", "add", $"{NatAddress}/24", "dev", a);
        await MustAsync("ip", "link", "set", a, "up");
        await MustAsync("ip", "addr", "add", $"{PrivateAddress}/32", "dev", "lo");
        await MustAsync("ip", "netns", "exec", _netns, "ip", "link", "set", "lo", "up");
        await MustAsync("ip", "netns", "exec", _netns, "ip", "addr", "add", $"{ServerAddress}/24", "dev", b);
        await MustAsync("ip", "netns", "exec", _netns, "ip", "link", "set", b, "up");
        await MustAsync("nft", "add", "table", "ip", _table);
        await MustAsync("nft", "add", "chain", "ip", _table, "post", "{ type nat hook postrouting priority 100 ; }");
        await MustAsync("nft", "add", "rule", "ip", _table, "post", "oifname", a, "ip", "saddr", PrivateAddress.ToString(), "masquerade", "random");
    }

    private static Task<(string Output, int Code)> RunAsync(string file, params string[] args) => TestShell.RunAsync(file, args);

    private static Task MustAsync(string file, params string[] args) => TestShell.MustAsync(file, args);
}
