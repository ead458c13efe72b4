using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Tls;
using DtlsTransport = WebRtc.Client.Dtls.DtlsTransport;
using WebRtc.Client.Dtls;

namespace WebRtc.Client.Tests.Dtls;

/// <summary>
/// Every suite we offer, in both roles, on the native record path: records up to the largest a
/// peer may send arrive whatever our send MTU (a usrsctp peer with 1280-byte packets and
/// ChaCha20-Poly1305 sends 1309-byte records), the AEAD limits close the session cleanly, and
/// hostile records are dropped and logged.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public class DtlsCipherSuiteTests
{
    private static readonly RTCCertificate EcdsaA = RTCCertificate.Generate();
    private static readonly RTCCertificate EcdsaB = RTCCertificate.Generate();
    private static readonly Lazy<(RTCCertificate A, RTCCertificate B)> Rsa = new(() =>
        (RTCCertificate.Generate(RTCCertificateKeyType.Rsa2048), RTCCertificate.Generate(RTCCertificateKeyType.Rsa2048)));

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private const int ChaChaEcdsa = CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256;
    private const int Aes128Ecdsa = CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;

    public static IEnumerable<TestCaseData> SuitesAndRoles()
    {
        foreach (int suite in DtlsPeerState.DefaultCipherSuites)
        {
            foreach (var bigSide in new[] { DtlsRole.Client, DtlsRole.Server })
            {
                yield return new TestCaseData(suite, bigSide).SetArgDisplayNames($"0x{suite:X4}", $"{bigSide} sends large records");
            }
        }
    }

    internal sealed class Pair : IAsyncDisposable
    {
        public required MemoryDatagramPair Link { get; init; }

        public required DtlsTransport Client { get; init; }

        public required DtlsTransport Server { get; init; }

        public DtlsTransport this[DtlsRole role] => role == DtlsRole.Client ? Client : Server;

        public static async Task<Pair> ConnectAsync(int suite, DtlsTransportOptions? clientOptions = null, DtlsTransportOptions? serverOptions = null)
        {
            bool rsa = TlsUtilities.GetKeyExchangeAlgorithm(suite) == KeyExchangeAlgorithm.ECDHE_RSA;
            var (a, b) = rsa ? Rsa.Value : (EcdsaA, EcdsaB);
            var link = new MemoryDatagramPair();
            var pair = new Pair
            {
                Link = link,
                Client = new DtlsTransport(link.A.Transport, a, With(clientOptions, suite)),
                Server = new DtlsTransport(link.B.Transport, b, With(serverOptions, suite)),
            };
            await Task.WhenAll(
                pair.Client.StartAsync(DtlsRole.Client, b.GetFingerprint("sha-256")),
                pair.Server.StartAsync(DtlsRole.Server, a.GetFingerprint("sha-256"))).WaitAsync(Wait);
            return pair;
        }

        private static DtlsTransportOptions With(DtlsTransportOptions? options, int suite) => new()
        {
            Mtu = options?.Mtu ?? 1200,
            NativeRecordLayer = options?.NativeRecordLayer ?? true,
            Logger = options?.Logger,
            ConfigureRecordLayer = options?.ConfigureRecordLayer,
            CipherSuites = [suite],
        };

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await Server.DisposeAsync();
        }
    }

    private static byte[] Message(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    // RFC 6347 §4.1: a record is up to 2^14 bytes of plaintext whatever our MTU; the receiver
    // keeps its default 1200-byte send MTU and must still take every one of them.
    [TestCaseSource(nameof(SuitesAndRoles))]
    public async Task EverySuite_RecordsUpToTheLargest_ArriveAtASideWithTheDefaultMtu(int suite, DtlsRole bigSide)
    {
        var big = new DtlsTransportOptions { Mtu = (1 << 14) + 64 };
        await using var pair = await Pair.ConnectAsync(suite, bigSide == DtlsRole.Client ? big : null, bigSide == DtlsRole.Server ? big : null);
        var sender = pair[bigSide];
        var receiver = pair[bigSide == DtlsRole.Client ? DtlsRole.Server : DtlsRole.Client];
        Assert.That(sender.CipherSuite, Is.EqualTo(suite));
        Assert.That(receiver.CipherSuite, Is.EqualTo(suite));
        bool chacha = suite is CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 or CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256;
        Assert.That(receiver.MaxSendSize, Is.EqualTo(1200 - (chacha ? 13 + 16 : 13 + 8 + 16)), "the suite runs on the native record path");

        var got = new BlockingCollection<byte[]>();
        receiver.Receiver = data => got.Add(data.ToArray());
        foreach (int size in new[] { 1, receiver.MaxSendSize, 1280, 8192, 1 << 14 })
        {
            var message = Message(size, size);
            Assert.That(sender.TrySend(message), Is.True, $"{size} B sent");
            Assert.That(got.Take(new CancellationTokenSource(Wait).Token), Is.EqualTo(message), $"a {size}-byte record arrived");
        }

        var back = new BlockingCollection<byte[]>();
        sender.Receiver = data => back.Add(data.ToArray());
        var reply = Message(receiver.MaxSendSize, 7);
        Assert.That(receiver.TrySend(reply), Is.True);
        Assert.That(back.Take(new CancellationTokenSource(Wait).Token), Is.EqualTo(reply));
        Assert.That(receiver.TrySend(new byte[receiver.MaxSendSize + 1]), Is.False, "our own records stay within our MTU");
        Assert.That(receiver.DroppedDatagrams, Is.Zero);
    }

    // The reported failure: ChaCha20-Poly1305 went through BouncyCastle, whose receive limit was our
    // send MTU, so a 1309-byte record was cut and dropped. BouncyCastle's path (native off) takes it now too.
    [TestCase(ChaChaEcdsa)]
    [TestCase(Aes128Ecdsa)]
    public async Task BouncyCastlePath_TakesRecordsLargerThanOurMtu(int suite)
    {
        await using var pair = await Pair.ConnectAsync(suite, new DtlsTransportOptions { Mtu = 1500 }, new DtlsTransportOptions { NativeRecordLayer = false });
        var got = new BlockingCollection<byte[]>();
        pair.Server.Receiver = data => got.Add(data.ToArray());
        foreach (int size in new[] { 1280, 1400 })
        {
            var message = Message(size, size);
            Assert.That(pair.Client.TrySend(message), Is.True);
            Assert.That(got.Take(new CancellationTokenSource(Wait).Token), Is.EqualTo(message), $"{size} B through BouncyCastle's record layer");
        }
    }

    // RFC 6347 §4.1.2.7: a record that fails authentication is discarded, never fatal: one forged
    // datagram must not end the session. BouncyCastle 2.7 discards it as well (RFC 9146 §6); this
    // holds that for its path, as RandomAndMutatedRecords_AreDroppedAndLogged does for ours.
    [TestCase(ChaChaEcdsa)]
    [TestCase(Aes128Ecdsa)]
    public async Task BouncyCastlePath_DropsForgedRecords_AndCarriesOn(int suite)
    {
        await using var pair = await Pair.ConnectAsync(suite, null, new DtlsTransportOptions { NativeRecordLayer = false });
        var captured = new ConcurrentQueue<byte[]>();
        pair.Link.A.Drop = (datagram, _) =>
        {
            captured.Enqueue(datagram);
            return false;
        };
        var got = new BlockingCollection<byte[]>();
        pair.Server.Receiver = data => got.Add(data.ToArray());
        Assert.That(pair.Client.TrySend("first"u8), Is.True);
        Assert.That(got.Take(new CancellationTokenSource(Wait).Token), Is.EqualTo("first"u8.ToArray()));
        var forged = captured.Single();
        forged[10] += 1; // a new sequence number, so it is not a replay: it fails authentication
        pair.Link.B.Transport.Inject(forged);
        Assert.That(pair.Client.TrySend("second"u8), Is.True);
        Assert.That(got.Take(new CancellationTokenSource(Wait).Token), Is.EqualTo("second"u8.ToArray()));
        Assert.That(pair.Server.State, Is.EqualTo(DtlsTransportState.Connected));
        Assert.That(pair.Client.State, Is.EqualTo(DtlsTransportState.Connected), "no fatal alert reached the client");
    }

    // RFC 9147 §4.5.3 (limits of RFC 8446 §5.5): DTLS 1.2 cannot rekey, so at the limit the sender
    // closes with close_notify; here the budget is shrunk to ten records.
    [TestCase(Aes128Ecdsa)]
    [TestCase(ChaChaEcdsa)]
    public async Task SealLimit_ClosesCleanlyBeforeTheKeyIsOverused(int suite)
    {
        // A 100-byte record costs 8 (7 AES blocks + 1) under GCM and 1 under ChaCha20; 64 stay in reserve for alerts.
        ulong cost = suite == Aes128Ecdsa ? 8UL : 1UL;
        var logger = new ListLogger();
        var clientOptions = new DtlsTransportOptions { Logger = logger, ConfigureRecordLayer = layer => layer.SealBudget = 64 + (10 * cost) };
        await using var pair = await Pair.ConnectAsync(suite, clientOptions);
        var got = new BlockingCollection<byte[]>();
        pair.Server.Receiver = data => got.Add(data.ToArray());
        var serverClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Server.StateChanged += (_, s) =>
        {
            if (s == DtlsTransportState.Closed)
            {
                serverClosed.TrySetResult();
            }
        };

        int sent = 0;
        while (pair.Client.TrySend(Message(100, sent)) && sent < 100)
        {
            sent++;
        }

        Assert.That(sent, Is.EqualTo(10));
        Assert.That(pair.Client.State, Is.EqualTo(DtlsTransportState.Closed));
        Assert.That(pair.Client.Error?.Message, Does.Contain("AEAD limit"));
        Assert.That(logger.Has(LogLevel.Warning, "AEAD limit"), Is.True);
        await serverClosed.Task.WaitAsync(Wait);
        Assert.That(pair.Server.Error, Is.Null, "the peer saw a clean close_notify");
        for (int i = 0; i < 10; i++)
        {
            Assert.That(got.Take(new CancellationTokenSource(Wait).Token), Is.EqualTo(Message(100, i)));
        }
    }

    // RFC 9147 §4.5.3: "Implementations MUST count the number of received packets that fail
    // authentication with each key" and close at the limit (2^36; shrunk to 5 here).
    [TestCase(Aes128Ecdsa)]
    [TestCase(ChaChaEcdsa)]
    public async Task FailureLimit_ClosesAfterThatManyForgedRecords(int suite)
    {
        var serverOptions = new DtlsTransportOptions { ConfigureRecordLayer = layer => layer.FailureLimit = 5 };
        await using var pair = await Pair.ConnectAsync(suite, null, serverOptions);
        var captured = new ConcurrentQueue<byte[]>();
        pair.Link.A.Drop = (datagram, _) =>
        {
            captured.Enqueue(datagram);
            return false;
        };
        var clientClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Client.StateChanged += (_, s) =>
        {
            if (s == DtlsTransportState.Closed)
            {
                clientClosed.TrySetResult();
            }
        };
        pair.Server.Receiver = _ => { };
        Assert.That(pair.Client.TrySend("real"u8), Is.True);
        var record = captured.Single();
        for (int i = 0; i < 4; i++)
        {
            // A fresh sequence number (in the AAD) passes the replay window and fails authentication.
            var forged = (byte[])record.Clone();
            forged[10] += (byte)(1 + i);
            pair.Link.B.Transport.Inject(forged);
            Assert.That(pair.Server.State, Is.EqualTo(DtlsTransportState.Connected), $"{i + 1} forged records are below the limit");
        }

        var fifth = (byte[])record.Clone();
        fifth[10] += 10;
        pair.Link.B.Transport.Inject(fifth);
        Assert.That(pair.Server.State, Is.EqualTo(DtlsTransportState.Closed));
        Assert.That(pair.Server.Error?.Message, Does.Contain("failed authentication"));
        await clientClosed.Task.WaitAsync(Wait);
    }

    // Hostile input on the native path of each AEAD: nothing throws, nothing forged is delivered,
    // and every drop is logged at Debug (rate-limited).
    [TestCase(Aes128Ecdsa)]
    [TestCase(ChaChaEcdsa)]
    [TestCase(CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)]
    public async Task RandomAndMutatedRecords_AreDroppedAndLogged(int suite)
    {
        var logger = new ListLogger();
        await using var pair = await Pair.ConnectAsync(suite, null, new DtlsTransportOptions { Logger = logger });
        var captured = new ConcurrentQueue<byte[]>();
        pair.Link.A.Drop = (datagram, _) =>
        {
            captured.Enqueue(datagram);
            return false;
        };
        var got = new ConcurrentQueue<byte[]>();
        pair.Server.Receiver = data => got.Enqueue(data.ToArray());
        Assert.That(pair.Client.TrySend(Message(300, 1)), Is.True);
        var record = captured.Single();
        got.Clear();

        var random = new Random(suite);
        for (int i = 0; i < 5000; i++)
        {
            byte[] input;
            if (i % 3 == 0)
            {
                input = new byte[random.Next(0, 2000)];
                random.NextBytes(input);
                if (input.Length > 0 && i % 2 == 0)
                {
                    input[0] = DtlsAeadRecordLayer.ApplicationData; // make it look like a record now and then
                }
            }
            else
            {
                input = (byte[])record.Clone();
                for (int flips = 1 + random.Next(4); flips > 0; flips--)
                {
                    input[random.Next(input.Length)] ^= (byte)(1 + random.Next(255));
                }

                if (i % 5 == 0)
                {
                    Array.Resize(ref input, random.Next(input.Length * 2));
                }
            }

            pair.Link.B.Transport.Inject(input);
        }

        Assert.That(got, Is.Empty, "nothing forged was delivered");
        Assert.That(pair.Server.State, Is.EqualTo(DtlsTransportState.Connected));
        Assert.That(logger.Lines.Any(l => l.Level == LogLevel.Debug && l.Message.StartsWith("DTLS dropped", StringComparison.Ordinal)), Is.True, "drops are logged");

        Assert.That(pair.Client.TrySend(Message(300, 2)), Is.True);
        await Task.Run(() => SpinWait.SpinUntil(() => !got.IsEmpty, Wait));
        Assert.That(got.Single(), Is.EqualTo(Message(300, 2)), "the session still works");
    }

    // A record of application data packed with others in one datagram is opened by the native
    // layer too: BouncyCastle's separate replay window would otherwise accept it a second time.
    [Test]
    public async Task ApplicationRecordPackedWithOthers_IsOpenedOnce()
    {
        await using var pair = await Pair.ConnectAsync(Aes128Ecdsa);
        var captured = new ConcurrentQueue<byte[]>();
        pair.Link.A.Drop = (datagram, _) =>
        {
            captured.Enqueue(datagram);
            return true;
        };
        var got = new ConcurrentQueue<byte[]>();
        pair.Server.Receiver = data => got.Enqueue(data.ToArray());
        Assert.That(pair.Client.TrySend("one"u8), Is.True);
        Assert.That(pair.Client.TrySend("two"u8), Is.True);
        var records = captured.ToArray();
        pair.Link.B.Transport.Inject([.. records[0], .. records[1]]);
        pair.Link.B.Transport.Inject([.. records[1], .. records[0]]); // a replay of both, packed
        await Task.Delay(200);
        Assert.That(got.Select(g => System.Text.Encoding.ASCII.GetString(g)), Is.EqualTo(new[] { "one", "two" }));
    }

    [Test]
    public async Task AlertsFromThePeer_AreLogged()
    {
        var logger = new ListLogger();
        var pair = await Pair.ConnectAsync(Aes128Ecdsa, null, new DtlsTransportOptions { Logger = logger });
        await using var server = pair.Server;
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Server.StateChanged += (_, s) =>
        {
            if (s == DtlsTransportState.Closed)
            {
                closed.TrySetResult();
            }
        };
        await pair.Client.DisposeAsync();
        await closed.Task.WaitAsync(Wait);
        Assert.That(logger.Has(LogLevel.Debug, "the peer sent warning(1) alert close_notify(0)"), Is.True, string.Join("\n", logger.Lines));
    }
}
