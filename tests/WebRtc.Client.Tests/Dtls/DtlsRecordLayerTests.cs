using System.Collections.Concurrent;
using WebRtc.Client.Dtls;

namespace WebRtc.Client.Tests.Dtls;

/// <summary>
/// The .NET AES-GCM application-data path against BouncyCastle's own record layer: a side with
/// <see cref="DtlsTransportOptions.NativeRecordLayer"/> off is an independent implementation of
/// RFC 6347/5288 records, so data flowing both ways proves keys, nonce and AAD.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public class DtlsRecordLayerTests
{
    private static readonly RTCCertificate CertA = RTCCertificate.Generate();
    private static readonly RTCCertificate CertB = RTCCertificate.Generate();
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static async Task<(MemoryDatagramPair Link, DtlsTransport Client, DtlsTransport Server)> ConnectAsync(bool nativeClient, bool nativeServer)
    {
        var link = new MemoryDatagramPair();
        var client = new DtlsTransport(link.A.Transport, CertA, new DtlsTransportOptions { NativeRecordLayer = nativeClient });
        var server = new DtlsTransport(link.B.Transport, CertB, new DtlsTransportOptions { NativeRecordLayer = nativeServer });
        await Task.WhenAll(
            client.StartAsync(DtlsRole.Client, CertB.GetFingerprint("sha-256")),
            server.StartAsync(DtlsRole.Server, CertA.GetFingerprint("sha-256"))).WaitAsync(Wait);
        return (link, client, server);
    }

    [TestCase(true, false)]
    [TestCase(false, true)]
    [TestCase(true, true)]
    public async Task NativeRecords_InteroperateWithBouncyCastleRecords_BothWays(bool nativeClient, bool nativeServer)
    {
        var (_, client, server) = await ConnectAsync(nativeClient, nativeServer);
        await using var c = client;
        await using var s = server;
        var atServer = new BlockingCollection<byte[]>();
        var atClient = new BlockingCollection<byte[]>();
        server.Receiver = data => atServer.Add(data.ToArray());
        client.Receiver = data => atClient.Add(data.ToArray());
        var random = new Random(1);
        for (int i = 0; i < 50; i++)
        {
            var message = new byte[i == 0 ? client.MaxSendSize : 1 + random.Next(client.MaxSendSize)];
            random.NextBytes(message);
            Assert.That(client.TrySend(message), Is.True);
            Assert.That(atServer.Take(new CancellationTokenSource(Wait).Token), Is.EqualTo(message));
            Assert.That(server.TrySend(message), Is.True);
            Assert.That(atClient.Take(new CancellationTokenSource(Wait).Token), Is.EqualTo(message));
        }

        Assert.That(client.MaxSendSize, Is.EqualTo(1200 - 13 - 8 - 16), "AES-GCM record overhead at MTU 1200");
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task CloseNotify_FromTheNativePath_ReachesBouncyCastle(bool nativeCloses)
    {
        var (_, client, server) = await ConnectAsync(nativeClient: nativeCloses, nativeServer: !nativeCloses);
        await using var s = server;
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.StateChanged += (_, state) =>
        {
            if (state == DtlsTransportState.Closed)
            {
                closed.TrySetResult();
            }
        };
        await client.DisposeAsync();
        await closed.Task.WaitAsync(Wait);
        Assert.That(server.Error, Is.Null);
    }

    [Test]
    public async Task ReplayedAndTamperedRecords_AreDropped()
    {
        var (link, client, server) = await ConnectAsync(true, true);
        await using var c = client;
        await using var s = server;
        var captured = new List<byte[]>();
        link.A.Drop = (datagram, _) =>
        {
            captured.Add(datagram);
            return false;
        };
        var received = new BlockingCollection<byte[]>();
        server.Receiver = data => received.Add(data.ToArray());
        Assert.That(client.TrySend("once"u8), Is.True);
        Assert.That(received.Take(new CancellationTokenSource(Wait).Token), Is.EqualTo("once"u8.ToArray()));
        var record = captured.Single();

        // RFC 6347 §4.1.2.6: a replayed record is discarded.
        link.B.Transport.Inject(record);
        link.B.Transport.Inject(record);

        // Any modified byte breaks the GCM tag (or the header checks).
        for (int i = 0; i < record.Length; i++)
        {
            var tampered = (byte[])record.Clone();
            tampered[i] ^= 0x40;
            link.B.Transport.Inject(tampered);
        }

        Assert.That(client.TrySend("twice"u8), Is.True);
        Assert.That(received.Take(new CancellationTokenSource(Wait).Token), Is.EqualTo("twice"u8.ToArray()));
        Assert.That(received, Is.Empty, "nothing replayed or forged got through");
        Assert.That(server.State, Is.EqualTo(DtlsTransportState.Connected));
    }

    [Test]
    public async Task OldRecordsOutsideTheWindow_AreDropped_ReorderedInsideAreKept()
    {
        var (link, client, server) = await ConnectAsync(true, true);
        await using var c = client;
        await using var s = server;
        var held = new List<byte[]>();
        link.A.Drop = (datagram, _) =>
        {
            held.Add(datagram);
            return true; // hold everything back, then deliver out of order
        };
        var received = new ConcurrentQueue<byte>();
        server.Receiver = data => received.Enqueue(data[0]);
        for (int i = 0; i < 100; i++)
        {
            Assert.That(client.TrySend([(byte)i]), Is.True);
        }

        link.A.Drop = null;
        link.B.Transport.Inject(held[99]);
        link.B.Transport.Inject(held[50]); // 49 behind: inside the 64-record window
        link.B.Transport.Inject(held[10]); // 89 behind: outside it
        link.B.Transport.Inject(held[98]);
        Assert.That(received, Is.EqualTo(new byte[] { 99, 50, 98 }));
    }
}
