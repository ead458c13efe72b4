using System.Buffers.Binary;
using System.Collections.Concurrent;
using WebRtc.Client.Dtls;

namespace WebRtc.Client.Tests.Dtls;

/// <summary>
/// Record sequence numbers on the wire. NSS (Firefox) refuses any AES-GCM record numbered at or
/// above its record limit (0x5a &lt;&lt; 28) with SSL_ERROR_TOO_MANY_RECORDS, so numbers must be what
/// RFC 6347 §4.1 says: one counter per epoch from 0, no gaps, never one number twice.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public class DtlsRecordNumberingTests
{
    private static readonly RTCCertificate CertA = RTCCertificate.Generate();
    private static readonly RTCCertificate CertB = RTCCertificate.Generate();
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>(content type, epoch, sequence) of every record in a datagram.</summary>
    internal static IEnumerable<(byte Type, int Epoch, ulong Sequence)> Records(byte[] datagram)
    {
        var result = new List<(byte, int, ulong)>();
        int offset = 0;
        while (datagram.Length - offset >= 13)
        {
            var header = datagram.AsSpan(offset);
            ulong sequence = ((ulong)BinaryPrimitives.ReadUInt16BigEndian(header[5..]) << 32) | BinaryPrimitives.ReadUInt32BigEndian(header[7..]);
            result.Add((header[0], BinaryPrimitives.ReadUInt16BigEndian(header[3..]), sequence));
            offset += 13 + BinaryPrimitives.ReadUInt16BigEndian(header[11..]);
        }

        return result;
    }

    // RFC 6347 §4.1: "Sequence numbers are maintained separately for each epoch, with each
    // sequence_number initially being 0 for each epoch." Both roles, with the server's final flight
    // lost once (so it is retransmitted after the native layer took over epoch 1), data both ways
    // and close_notify from each side.
    [TestCase(true)]
    [TestCase(false)]
    public async Task EpochOne_IsOneCounterFromZero_WithoutGaps_ThroughRetransmissionDataAndClose(bool clientCloses)
    {
        var link = new MemoryDatagramPair();
        var fromClient = new ConcurrentQueue<byte[]>();
        var fromServer = new ConcurrentQueue<byte[]>();
        int droppedFinal = 0;
        link.A.Drop = (datagram, _) =>
        {
            fromClient.Enqueue(datagram);
            return false;
        };
        link.B.Drop = (datagram, _) =>
        {
            // The server's first epoch-1 record (its Finished) is lost: the client retransmits its
            // flight, and the server must send its final flight again, once it has handed epoch 1 over.
            fromServer.Enqueue(datagram); // sent, even when the link then loses it
            return Records(datagram).Any(r => r.Epoch == 1) && Interlocked.Exchange(ref droppedFinal, 1) == 0;
        };
        var clientLog = new ListLogger();
        var serverLog = new ListLogger();
        var client = new DtlsTransport(link.A.Transport, CertA, new DtlsTransportOptions { InitialRetransmissionTimeout = TimeSpan.FromMilliseconds(100), Logger = clientLog });
        var server = new DtlsTransport(link.B.Transport, CertB, new DtlsTransportOptions { InitialRetransmissionTimeout = TimeSpan.FromMilliseconds(100), Logger = serverLog });
        await Task.WhenAll(
            client.StartAsync(DtlsRole.Client, CertB.GetFingerprint("sha-256")),
            server.StartAsync(DtlsRole.Server, CertA.GetFingerprint("sha-256"))).WaitAsync(Wait);
        Assert.That(droppedFinal, Is.EqualTo(1), "the server's final flight was lost once");

        var atServer = new BlockingCollection<byte[]>();
        var atClient = new BlockingCollection<byte[]>();
        server.Receiver = data => atServer.Add(data.ToArray());
        client.Receiver = data => atClient.Add(data.ToArray());
        for (int i = 0; i < 20; i++)
        {
            Assert.That(client.TrySend([(byte)i]), Is.True);
            Assert.That(atServer.Take(new CancellationTokenSource(Wait).Token), Is.EqualTo(new[] { (byte)i }));
            Assert.That(server.TrySend([(byte)i]), Is.True);
            Assert.That(atClient.Take(new CancellationTokenSource(Wait).Token), Is.EqualTo(new[] { (byte)i }));
        }

        var (closer, other) = clientCloses ? (client, server) : (server, client);
        var otherClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        other.StateChanged += (_, s) =>
        {
            if (s == DtlsTransportState.Closed)
            {
                otherClosed.TrySetResult();
            }
        };
        await closer.DisposeAsync();
        await otherClosed.Task.WaitAsync(Wait);
        Assert.That(other.Error, Is.Null, "close_notify under the shared counter was accepted");
        await other.DisposeAsync();

        foreach (var (side, datagrams) in new[] { ("client", fromClient), ("server", fromServer) })
        {
            var records = datagrams.SelectMany(Records).ToList();
            var epochOne = records.Where(r => r.Epoch == 1).Select(r => r.Sequence).ToList();
            Assert.That(epochOne, Is.Unique, $"{side}: no epoch-1 sequence number is used twice (GCM nonce reuse)");
            Assert.That(epochOne.Order(), Is.EqualTo(Enumerable.Range(0, epochOne.Count).Select(i => (ulong)i)), $"{side}: epoch 1 is numbered 0, 1, 2 ... without gaps");
            Assert.That(records.Count(r => r.Epoch == 1 && r.Type == DtlsAeadRecordLayer.ApplicationData), Is.EqualTo(20), $"{side}: the data records are among them");
            var epochZero = records.Where(r => r.Epoch == 0).Select(r => r.Sequence).Order().ToList();
            Assert.That(epochZero, Is.Unique.And.EqualTo(Enumerable.Range(0, epochZero.Count).Select(i => epochZero[0] + (ulong)i)), $"{side}: epoch 0 has no gaps either");
        }

        // The CCS shares its datagram with the Finished behind it: apart, a peer that lost only the
        // Finished would read our data in epoch 1 mid-handshake (NSS answers unexpected_message).
        foreach (var (side, datagrams) in new[] { ("client", fromClient), ("server", fromServer) })
        {
            foreach (var records in datagrams.Select(d => Records(d).ToList()).Where(r => r.Any(x => x.Type == DtlsAeadRecordLayer.ChangeCipherSpec)))
            {
                int ccs = records.FindIndex(r => r.Type == DtlsAeadRecordLayer.ChangeCipherSpec);
                Assert.That(records.Skip(ccs + 1).Any(r => r.Epoch == 1 && r.Type == DtlsAeadRecordLayer.Handshake), Is.True, $"{side}: a ChangeCipherSpec went out without its Finished");
            }
        }

        var serverEpochOne = fromServer.SelectMany(Records).Where(r => r.Epoch == 1).ToList();
        // Once per retransmission of the client's flight that reached it: more than once on a slow machine.
        Assert.That(serverEpochOne.Count(r => r.Type == DtlsAeadRecordLayer.Handshake), Is.GreaterThanOrEqualTo(2), "the server's Finished went out again after it was lost, re-sealed by the native layer");
        Assert.That(fromClient.SelectMany(Records).Count(r => r.Epoch == 1 && r.Type == DtlsAeadRecordLayer.Handshake), Is.GreaterThanOrEqualTo(2), "the client sent its Finished again before the handshake completed");
        foreach (var (datagrams, log) in new[] { (fromClient, clientLog), (fromServer, serverLog) })
        {
            Assert.That(datagrams.SelectMany(Records).Count(r => r.Epoch == 1 && r.Type == DtlsAeadRecordLayer.Alert), Is.LessThanOrEqualTo(1), "one close_notify per side, not BouncyCastle's and ours:\n" + string.Join("\n", log.Lines));
        }
    }
}
