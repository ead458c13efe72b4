using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using WebRtc.Client.Dtls;

namespace WebRtc.Client.InteropTests;

/// <summary>
/// Issue 14 against a real usrsctp + OpenSSL peer. libdatachannel gives usrsctp its MTU less 108 bytes
/// (IPv6 40, UDP 8, DTLS 48, SCTP header 12) as room for chunks, so its SCTP packets are MTU − 96
/// bytes: 1404 with <c>mtu: 1500</c>, DTLS records of 1433 bytes under ChaCha20-Poly1305 and 1441 under
/// AES-GCM, well over our 1200-byte send MTU. Even its default MTU of 1280 gives 1184-byte packets
/// and records of 1213 or 1221 bytes. Every message must arrive intact both ways, and our SCTP must
/// have taken packets of that size. Our side keeps every default, except that half the cases offer
/// ChaCha20-Poly1305 only, as the SFU of the issue negotiated: against our default list libdatachannel
/// never gets it (AES-128-GCM when it is the DTLS server, AES-256-GCM as client; node/README.md).
/// </summary>
[NonParallelizable]
public sealed class LibdatachannelLargeRecordTests
{
    // libdatachannel's default (RTC_DEFAULT_MTU, the IPv6 minimum).
    private const int DefaultMtu = 1280;

    private ForeignPeer? _peer;

    public enum OurSuites
    {
        /// <summary>Our default offer (AES-128-GCM first).</summary>
        Default,

        /// <summary>TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 only.</summary>
        ChaCha20Poly1305Only,
    }

    [OneTimeTearDown]
    public async Task StopForeignPeer()
    {
        if (_peer is not null)
        {
            await _peer.DisposeAsync();
        }
    }

    // The implementation is a parameter only so that the test name carries it, as in the other
    // interop cases: a filter such as FullyQualifiedName~libdatachannel (case-sensitive) selects it.
    [Test]
    public async Task LargeSctpPackets_RecordsOver1200Bytes_MessagesArriveIntactBothWays(
        [Values("libdatachannel")] string implementation,
        [Values(null, 1500)] int? mtu,
        [Values] Offerer offerer,
        [Values] OurSuites suites)
    {
        // libdatachannel's sctptransport.cpp sets usrsctp's path MTU to mtu - 12 - 48 - 8 - 40, the
        // room for chunks; a full packet adds the 12-byte common header to it.
        int expectedSctpPacket = (mtu ?? DefaultMtu) - 48 - 8 - 40;
        _peer ??= await ForeignPeer.StartAsync(implementation);
        var options = suites == OurSuites.Default
            ? null
            : new RTCPeerConnectionOptions { Dtls = new DtlsTransportOptions { CipherSuites = [0xCCA9] } };
        await using var call = await InteropCall.StartAsync(_peer, options: options);
        if (mtu is not null)
        {
            // The peer connection does not exist yet: libdatachannel gets its own MTU option (node/README.md).
            await _peer.CallAsync("config", new JsonObject { ["rtcConfiguration"] = new JsonObject { ["mtu"] = mtu } });
        }

        var channel = await DataChannelInteropTests.OpenChannelAsync(call, offerer, "large-records");
        var inbox = new Inbox(channel);

        var report = new List<string>();
        foreach (int size in new[] { 1, 1000, 16 * 1024, 256 * 1024 })
        {
            long duplicates = call.Pc.Sctp!.Statistics.DuplicatesReceived;
            var watch = Stopwatch.StartNew();
            await DataChannelInteropTests.EchoBothWaysAsync(call, inbox, binary: true, size);
            report.Add(string.Create(CultureInfo.InvariantCulture, $"{size} B: {watch.Elapsed.TotalMilliseconds:0} ms ({call.Pc.Sctp!.Statistics.DuplicatesReceived - duplicates} duplicates)"));
        }

        var transport = (await call.Pc.GetStatsAsync()).OfType<RTCTransportStats>().Single();
        var sctp = call.Pc.Sctp!.Statistics;
        var dtls = call.Pc.DtlsTransport!;
        bool chacha = transport.DtlsCipher?.Contains("CHACHA20", StringComparison.Ordinal) == true;
        int record = sctp.LargestPacketReceived + (chacha ? 29 : 37); // header 13, tag 16, AES-GCM's explicit nonce 8
        await TestContext.Out.WriteLineAsync(
            $"libdatachannel {_peer.Version}, mtu {mtu?.ToString(CultureInfo.InvariantCulture) ?? "default"}, {offerer}, our suites {suites}: {transport.TlsVersion} {transport.DtlsCipher}, we were DTLS {transport.DtlsRole}; " +
            $"largest SCTP packet received {sctp.LargestPacketReceived} B = DTLS record of {record} B; " +
            $"SCTP packets received {sctp.PacketsReceived}, dropped {sctp.PacketsDropped}, we retransmitted {sctp.Retransmissions} (T3 {sctp.T3Expirations}), duplicates from the peer {sctp.DuplicatesReceived}; " +
            $"datagrams dropped below DTLS {dtls.DroppedDatagrams}; echo both ways: {string.Join(", ", report)}");

        Assert.Multiple(() =>
        {
            Assert.That(sctp.LargestPacketReceived, Is.EqualTo(expectedSctpPacket), "libdatachannel's full-size SCTP packets reached our SCTP whole");
            Assert.That(record, Is.GreaterThan(1200), "so its DTLS records were larger than our send MTU");
            // OpenSSL as server takes the client's order (no SSL_OP_CIPHER_SERVER_PREFERENCE): our first.
            // As client it offers AES-256-GCM first, and our server takes the client's order too.
            Assert.That(transport.DtlsCipher, Is.EqualTo(suites == OurSuites.ChaCha20Poly1305Only ? "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"
                : transport.DtlsRole == "client" ? "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" : "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"));
            Assert.That(dtls.DroppedDatagrams, Is.Zero, "no datagram dropped below DTLS");
            Assert.That(sctp.PacketsDropped, Is.Zero, "no SCTP packet dropped");
        });
    }
}
