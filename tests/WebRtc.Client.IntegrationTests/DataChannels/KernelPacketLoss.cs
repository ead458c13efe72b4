namespace WebRtc.Client.IntegrationTests.DataChannels;

/// <summary>
/// Real packet loss in the kernel: an nftables rule that drops a share of the UDP datagrams
/// to or from a port range, in the test's own network namespace. (This kernel has no
/// sch_netem, so `tc netem` is not available; nft's random number generator does the job.)
/// Datagrams are dropped on arrival, silently, as a network loses them.
/// </summary>
internal sealed class KernelPacketLoss : IAsyncDisposable
{
    private readonly string _table;

    private KernelPacketLoss(string table) => _table = table;

    /// <summary>
    /// Drops <paramref name="percent"/>% of UDP datagrams to or from ports in [min, max]: both
    /// directions of a peer bound there, whatever port the other end has. A datagram between two
    /// ports of the range is judged once.
    /// </summary>
    public static async Task<KernelPacketLoss> StartAsync(int minPort, int maxPort, int percent)
    {
        await TestShell.RequireIsolatedNamespaceAsync("kernel packet loss (nftables)");

        var table = "wrtc_loss_" + Environment.ProcessId + "_" + minPort;
        var loss = new KernelPacketLoss(table);
        await MustAsync("nft", "add", "table", "inet", table);
        // On the way in, not out: a datagram dropped in the output hook fails the sender's sendto() with
        // EPERM, which a network never does, and Firefox's DTLS layer takes a failed write as fatal
        // (SSL_ERROR_SOCKET_WRITE_FAILURE): its association died at the first drop. On loopback every
        // datagram passes the input hook once, so the share dropped is the same.
        await MustAsync("nft", "add", "chain", "inet", table, "in", "{ type filter hook input priority 0 ; }");
        // 100% is a firewall that blocks UDP (nft's "numgen mod 100 < 100" is out of range, and needless).
        string[] share = percent >= 100 ? [] : ["numgen", "random", "mod", "100", "<", percent.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        await MustAsync("nft", ["add", "rule", "inet", table, "in", "udp", "dport", $"{minPort}-{maxPort}", .. share, "counter", "drop"]);
        await MustAsync("nft", ["add", "rule", "inet", table, "in", "udp", "sport", $"{minPort}-{maxPort}", "udp", "dport", "!=", $"{minPort}-{maxPort}", .. share, "counter", "drop"]);
        return loss;
    }

    /// <summary>How many datagrams the rule dropped so far.</summary>
    public async Task<long> DroppedAsync()
    {
        var (output, _) = await RunAsync("nft", "list", "table", "inet", _table);
        long total = 0;
        for (int marker = output.IndexOf("packets ", StringComparison.Ordinal); marker >= 0; marker = output.IndexOf("packets ", marker + 8, StringComparison.Ordinal))
        {
            var digits = new string(output[(marker + 8)..].TakeWhile(char.IsDigit).ToArray());
            total += long.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
        }

        return total;
    }

    public async ValueTask DisposeAsync() => await RunAsync("nft", "delete", "table", "inet", _table);

    private static Task<(string Output, int Code)> RunAsync(string file, params string[] args) => TestShell.RunAsync(file, args);

    private static Task MustAsync(string file, params string[] args) => TestShell.MustAsync(file, args);
}
