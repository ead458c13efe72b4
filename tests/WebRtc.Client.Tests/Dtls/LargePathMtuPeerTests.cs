using System.Collections.Concurrent;
using Org.BouncyCastle.Tls;
using WebRtc.Client.Dtls;
using WebRtc.Client.Sctp;
using DtlsTransport = WebRtc.Client.Dtls.DtlsTransport;

namespace WebRtc.Client.Tests.Dtls;

/// <summary>
/// A test double of the usrsctp-based SFU that found the bug: its SCTP packets are 1280 bytes
/// (records of 1309 bytes under ChaCha20-Poly1305, 1317 under AES-GCM), larger than our 1200-byte
/// send MTU. Our side keeps every default; messages of every size must arrive both ways, which
/// needs every fragment of the peer's to be accepted and SACKed.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public class LargePathMtuPeerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (int suite in new[] { CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 })
        {
            foreach (var peerRole in new[] { DtlsRole.Client, DtlsRole.Server })
            {
                yield return new TestCaseData(suite, peerRole).SetArgDisplayNames($"0x{suite:X4}", $"peer is DTLS {peerRole}");
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public async Task SctpPacketsOf1280Bytes_FromThePeer_AllArrive(int suite, DtlsRole peerRole)
    {
        var peerDtls = new DtlsTransportOptions { Mtu = 1500 };
        await using var pair = await DtlsCipherSuiteTests.Pair.ConnectAsync(suite, peerRole == DtlsRole.Client ? peerDtls : null, peerRole == DtlsRole.Server ? peerDtls : null);
        var peer = pair[peerRole];
        var ours = pair[peerRole == DtlsRole.Client ? DtlsRole.Server : DtlsRole.Client];
        var datagramsFromPeer = new ConcurrentBag<int>();
        var peerEnd = peerRole == DtlsRole.Client ? pair.Link.A : pair.Link.B;
        peerEnd.Drop = (datagram, _) =>
        {
            datagramsFromPeer.Add(datagram.Length);
            return false;
        };

        var association = new SctpAssociationOptions { RtoMin = TimeSpan.FromMilliseconds(50), RtoInitial = TimeSpan.FromMilliseconds(200) };
        await using var peerSctp = new SctpTransport(peer, new SctpTransportOptions { Association = association with { MaxPacketSize = 1280 } });
        await using var ourSctp = new SctpTransport(ours, new SctpTransportOptions { Association = association });
        var atPeer = new BlockingCollection<byte[]>();
        var atUs = new BlockingCollection<byte[]>();
        peerSctp.MessageHandler = (_, _, data) => atPeer.Add(data.ToArray());
        ourSctp.MessageHandler = (_, _, data) => atUs.Add(data.ToArray());
        ourSctp.Start();
        await peerSctp.ConnectAsync().WaitAsync(Wait);
        await ourSctp.ConnectAsync().WaitAsync(Wait);

        foreach (int size in new[] { 1, 1000, 16 * 1024, 256 * 1024 })
        {
            var message = new byte[size];
            new Random(size).NextBytes(message);
            peerSctp.Send(1, 53, message);
            Assert.That(atUs.Take(new CancellationTokenSource(Wait).Token), Is.EqualTo(message), $"{size} B from the peer");
            ourSctp.Send(1, 53, message);
            Assert.That(atPeer.Take(new CancellationTokenSource(Wait).Token), Is.EqualTo(message), $"{size} B to the peer");
        }

        int overhead = suite is CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ? 37 : 29;
        Assert.That(datagramsFromPeer.Max(), Is.EqualTo(1280 + overhead), "the peer really sent records larger than our 1200-byte MTU");
        Assert.That(ours.DroppedDatagrams, Is.Zero);
        Assert.That(peerSctp.Statistics.T3Expirations, Is.Zero, "every packet of the peer's was acknowledged, none timed out");
        Assert.That(ourSctp.Statistics.PacketsDropped, Is.Zero);
    }
}
