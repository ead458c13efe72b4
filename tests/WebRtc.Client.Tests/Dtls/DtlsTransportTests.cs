using WebRtc.Client.Dtls;
using WebRtc.Client.Srtp;

namespace WebRtc.Client.Tests.Dtls;

[Parallelizable(ParallelScope.Self)]
public class DtlsTransportTests
{
    private static readonly RTCCertificate EcdsaA = RTCCertificate.Generate();
    private static readonly RTCCertificate EcdsaB = RTCCertificate.Generate();
    private static readonly Lazy<(RTCCertificate, RTCCertificate)> Rsa = new(() =>
        (RTCCertificate.Generate(RTCCertificateKeyType.Rsa2048), RTCCertificate.Generate(RTCCertificateKeyType.Rsa2048)));

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private sealed class Pair : IAsyncDisposable
    {
        public Pair(RTCCertificate clientCert, RTCCertificate serverCert, DtlsTransportOptions? options = null)
        {
            Link = new MemoryDatagramPair();
            Client = new DtlsTransport(Link.A.Transport, clientCert, options);
            Server = new DtlsTransport(Link.B.Transport, serverCert, options);
        }

        public MemoryDatagramPair Link { get; }

        public DtlsTransport Client { get; }

        public DtlsTransport Server { get; }

        public Task StartAsync(RTCDtlsFingerprint clientExpects, RTCDtlsFingerprint serverExpects) => Task.WhenAll(
            Client.StartAsync(DtlsRole.Client, clientExpects, CancellationToken.None),
            Server.StartAsync(DtlsRole.Server, serverExpects, CancellationToken.None));

        public async ValueTask DisposeAsync()
        {
            await Client.DisposeAsync();
            await Server.DisposeAsync();
        }
    }

    private static async Task<Pair> ConnectAsync(RTCCertificate clientCert, RTCCertificate serverCert, DtlsTransportOptions? options = null)
    {
        var pair = new Pair(clientCert, serverCert, options);
        await pair.StartAsync(serverCert.GetFingerprint("sha-256"), clientCert.GetFingerprint("sha-256")).WaitAsync(Wait);
        return pair;
    }

    [TestCase(RTCCertificateKeyType.EcdsaP256)]
    [TestCase(RTCCertificateKeyType.Rsa2048)]
    public async Task Handshake_Connects_SameProfile_SameKeys_DataBothWays(RTCCertificateKeyType keyType)
    {
        var (c, s) = keyType == RTCCertificateKeyType.Rsa2048 ? Rsa.Value : (EcdsaA, EcdsaB);
        await using var pair = await ConnectAsync(c, s);

        Assert.That(pair.Client.State, Is.EqualTo(DtlsTransportState.Connected));
        Assert.That(pair.Server.State, Is.EqualTo(DtlsTransportState.Connected));
        Assert.That(pair.Client.SrtpProfile, Is.EqualTo(SrtpProfile.AeadAes128Gcm));
        Assert.That(pair.Server.SrtpProfile, Is.EqualTo(pair.Client.SrtpProfile));
        AssertMirroredSrtpKeys(pair.Client, pair.Server);
        Assert.That(pair.Client.RemoteCertificate.ToArray(), Is.EqualTo(s.DerCertificate.ToArray()));
        Assert.That(pair.Server.RemoteCertificate.ToArray(), Is.EqualTo(c.DerCertificate.ToArray()));
        Assert.That(pair.Client.IsWritable, Is.True);
        var suite = keyType == RTCCertificateKeyType.Rsa2048 ? 0xC02F : 0xC02B; // ECDHE_{RSA,ECDSA}_WITH_AES_128_GCM_SHA256
        Assert.That(pair.Client.CipherSuite, Is.EqualTo(suite));
        Assert.That(pair.Server.CipherSuite, Is.EqualTo(suite));

        var atServer = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var atClient = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Server.Receiver = data => atServer.TrySetResult(data.ToArray());
        pair.Client.Receiver = data => atClient.TrySetResult(data.ToArray());

        var big = new byte[1200 - 13 - 24 - 16 + 0];
        Random.Shared.NextBytes(big);
        Assert.That(pair.Client.TrySend("hello"u8), Is.True);
        Assert.That(await atServer.Task.WaitAsync(Wait), Is.EqualTo("hello"u8.ToArray()));
        Assert.That(pair.Server.TrySend(big), Is.True);
        Assert.That(await atClient.Task.WaitAsync(Wait), Is.EqualTo(big));
    }

    // A peer's first SCTP packet can follow its Finished before our SCTP transport is attached
    // (werift does): those records must wait for the receiver, not vanish.
    [TestCase(true)]
    [TestCase(false)]
    public async Task ApplicationData_BeforeReceiverIsSet_IsHeldAndDeliveredInOrder(bool nativeRecordLayer)
    {
        await using var pair = await ConnectAsync(EcdsaA, EcdsaB, new DtlsTransportOptions { NativeRecordLayer = nativeRecordLayer });
        for (byte i = 0; i < 5; i++)
        {
            Assert.That(pair.Client.TrySend([i, i, i]), Is.True);
        }

        await Task.Delay(300); // let the records arrive while nobody listens
        var received = new List<byte[]>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Server.Receiver = data =>
        {
            lock (received)
            {
                received.Add(data.ToArray());
                if (received.Count == 6)
                {
                    all.TrySetResult();
                }
            }
        };
        Assert.That(pair.Client.TrySend([9]), Is.True);
        await all.Task.WaitAsync(Wait);
        Assert.That(received, Is.EqualTo(new[] { new byte[] { 0, 0, 0 }, [1, 1, 1], [2, 2, 2], [3, 3, 3], [4, 4, 4], [9] }));
    }

    [Test]
    public async Task ApplicationData_1200Bytes_WithLargerMtu()
    {
        var options = new DtlsTransportOptions { Mtu = 1300 };
        await using var pair = await ConnectAsync(EcdsaA, EcdsaB, options);
        var received = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Server.Receiver = data => received.TrySetResult(data.ToArray());
        var message = new byte[1200];
        Random.Shared.NextBytes(message);
        Assert.That(pair.Client.TrySend(message), Is.True);
        Assert.That(await received.Task.WaitAsync(Wait), Is.EqualTo(message));

        // Past the send limit, TrySend says no instead of throwing.
        Assert.That(pair.Client.TrySend(new byte[1300]), Is.False);
    }

    [Test]
    public async Task SrtpProfile_ServerPicksFirstOfClientListItSupports()
    {
        var link = new MemoryDatagramPair();
        await using var client = new DtlsTransport(link.A.Transport, EcdsaA, new DtlsTransportOptions
        {
            SrtpProfiles = [SrtpProfile.AesCm128HmacSha1_32, SrtpProfile.AesCm128HmacSha1_80],
        });
        await using var server = new DtlsTransport(link.B.Transport, EcdsaB, new DtlsTransportOptions
        {
            SrtpProfiles = [SrtpProfile.AeadAes256Gcm, SrtpProfile.AesCm128HmacSha1_80],
        });
        await Task.WhenAll(
            client.StartAsync(DtlsRole.Client, EcdsaB.GetFingerprint("sha-256"), CancellationToken.None),
            server.StartAsync(DtlsRole.Server, EcdsaA.GetFingerprint("sha-256"), CancellationToken.None)).WaitAsync(Wait);
        Assert.That(client.SrtpProfile, Is.EqualTo(SrtpProfile.AesCm128HmacSha1_80));
        Assert.That(server.SrtpProfile, Is.EqualTo(SrtpProfile.AesCm128HmacSha1_80));
        AssertMirroredSrtpKeys(client, server);
    }

    // RFC 5764 §4.2: one side's outbound SRTP context must be the other side's inbound one, for
    // every profile, whichever of them the handshake is forced to pick.
    [TestCase(SrtpProfile.AesCm128HmacSha1_80)]
    [TestCase(SrtpProfile.AesCm128HmacSha1_32)]
    [TestCase(SrtpProfile.AeadAes128Gcm)]
    [TestCase(SrtpProfile.AeadAes256Gcm)]
    public async Task GetSrtpKeyingMaterial_EachProfile_KeysSrtpThatTheOtherSideUnprotects(SrtpProfile profile)
    {
        await using var pair = await ConnectAsync(EcdsaA, EcdsaB, new DtlsTransportOptions { SrtpProfiles = [profile] });
        Assert.That(pair.Client.SrtpProfile, Is.EqualTo(profile));
        Assert.That(pair.Server.SrtpProfile, Is.EqualTo(profile));
        var clientKeys = pair.Client.GetSrtpKeyingMaterial();
        var serverKeys = pair.Server.GetSrtpKeyingMaterial();
        Assert.That(clientKeys.Profile, Is.EqualTo(profile));
        Assert.That(serverKeys.Profile, Is.EqualTo(profile));
        Assert.That(clientKeys.LocalMasterKey.Length, Is.EqualTo(profile.GetKeyLength()));
        Assert.That(clientKeys.LocalMasterSalt.Length, Is.EqualTo(profile.GetSaltLength()));
        Assert.That(clientKeys.LocalMasterKey.ToArray(), Is.Not.EqualTo(clientKeys.RemoteMasterKey.ToArray()), "each direction has its own key");

        using var clientOut = clientKeys.CreateLocalContext();
        using var clientIn = clientKeys.CreateRemoteContext();
        using var serverOut = serverKeys.CreateLocalContext();
        using var serverIn = serverKeys.CreateRemoteContext();
        AssertRtpRoundTrip(clientOut, serverIn, ssrc: 0x11223344, profile);
        AssertRtpRoundTrip(serverOut, clientIn, ssrc: 0x55667788, profile);

        // A context keyed for the other direction must refuse the packet: the roles were not mixed up.
        byte[] packet = RtpPacket(0x11223344, out int length);
        Assert.That(clientOut.TryProtectRtp(packet, length, out int protectedLength), Is.True);
        using var clientOwnIn = clientKeys.CreateRemoteContext();
        Assert.That(clientOwnIn.TryUnprotectRtp(packet, protectedLength, out _), Is.False);
    }

    [Test]
    public void UnsupportedSrtpProfile_InOptions_IsRefusedUpFront()
    {
        var link = new MemoryDatagramPair();
        var ex = Assert.Throws<ArgumentException>(() => new DtlsTransport(link.A.Transport, EcdsaA, new DtlsTransportOptions { SrtpProfiles = [(SrtpProfile)0x0003] }));
        Assert.That(ex!.Message, Does.Contain("0x0003").And.Contain("not supported"));
    }

    [Test]
    public async Task GetSrtpKeyingMaterial_BeforeConnected_Throws()
    {
        await using var pair = new Pair(EcdsaA, EcdsaB);
        var ex = Assert.Throws<InvalidOperationException>(() => pair.Client.GetSrtpKeyingMaterial());
        Assert.That(ex!.Message, Does.Contain("connected").And.Contain("new"));
        Assert.That(pair.Client.SrtpProfile, Is.Null);
    }

    /// <summary>Both sides derived the same material and each sends with the key the other receives with.</summary>
    private static void AssertMirroredSrtpKeys(DtlsTransport client, DtlsTransport server)
    {
        var c = client.GetSrtpKeyingMaterial();
        var s = server.GetSrtpKeyingMaterial();
        Assert.That(c.Profile, Is.EqualTo(s.Profile));
        Assert.That(c.LocalMasterKey.ToArray(), Is.EqualTo(s.RemoteMasterKey.ToArray()));
        Assert.That(c.LocalMasterSalt.ToArray(), Is.EqualTo(s.RemoteMasterSalt.ToArray()));
        Assert.That(c.RemoteMasterKey.ToArray(), Is.EqualTo(s.LocalMasterKey.ToArray()));
        Assert.That(c.RemoteMasterSalt.ToArray(), Is.EqualTo(s.LocalMasterSalt.ToArray()));
        Assert.That(2 * (c.LocalMasterKey.Length + c.LocalMasterSalt.Length), Is.EqualTo(SrtpKeyingMaterial.GetExportLength(c.Profile)));
    }

    private static byte[] RtpPacket(uint ssrc, out int length)
    {
        // V=2, PT 111, seq 0x1234, timestamp 0x1000, then 160 bytes of payload; room for any tag.
        byte[] header = [0x80, 111, 0x12, 0x34, 0, 0, 0x10, 0, (byte)(ssrc >> 24), (byte)(ssrc >> 16), (byte)(ssrc >> 8), (byte)ssrc];
        length = header.Length + 160;
        var packet = new byte[length + 32];
        header.CopyTo(packet, 0);
        for (int i = 0; i < 160; i++)
        {
            packet[header.Length + i] = (byte)i;
        }

        return packet;
    }

    private static void AssertRtpRoundTrip(SrtpContext protect, SrtpContext unprotect, uint ssrc, SrtpProfile profile)
    {
        byte[] packet = RtpPacket(ssrc, out int length);
        byte[] plain = packet[..length];
        Assert.That(protect.TryProtectRtp(packet, length, out int protectedLength), Is.True);
        Assert.That(protectedLength, Is.EqualTo(length + profile.GetSrtpAuthTagLength()));
        Assert.That(packet[12..length], Is.Not.EqualTo(plain[12..]), "the payload is encrypted");
        Assert.That(unprotect.TryUnprotectRtp(packet, protectedLength, out int plainLength), Is.True, profile.GetRfcName());
        Assert.That(packet[..plainLength], Is.EqualTo(plain));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task AttackerCertificate_IsRefused(bool clientChecksFails)
    {
        var attacker = RTCCertificate.Generate();
        var pair = new Pair(EcdsaA, EcdsaB);
        await using var _ = pair;
        var clientExpects = clientChecksFails ? attacker.GetFingerprint("sha-256") : EcdsaB.GetFingerprint("sha-256");
        var serverExpects = clientChecksFails ? EcdsaA.GetFingerprint("sha-256") : attacker.GetFingerprint("sha-256");
        var client = pair.Client.StartAsync(DtlsRole.Client, clientExpects, CancellationToken.None);
        var server = pair.Server.StartAsync(DtlsRole.Server, serverExpects, CancellationToken.None);

        var refusing = clientChecksFails ? client : server;
        var other = clientChecksFails ? server : client;
        var ex = await Assert.ThrowsAsync<DtlsException>(async () => await refusing.WaitAsync(Wait));
        Assert.That(ex!.Message, Does.Contain("does not match the SDP fingerprint"));
        Assert.That(ex.Message, Does.Contain(clientChecksFails ? "remote server" : "remote client"));
        var otherEx = await Assert.ThrowsAsync<DtlsException>(async () => await other.WaitAsync(Wait));
        Assert.That(otherEx!.AlertFromPeer, Is.True, otherEx.Message);
        Assert.That(otherEx.Message, Does.Contain("bad_certificate"));
        Assert.That(pair.Client.State, Is.EqualTo(DtlsTransportState.Failed));
        Assert.That(pair.Server.State, Is.EqualTo(DtlsTransportState.Failed));
        Assert.That(pair.Client.IsWritable, Is.False);
        Assert.Throws<InvalidOperationException>(() => pair.Client.GetSrtpKeyingMaterial());
    }

    [Test]
    public async Task DroppedFirstFlights_AreRetransmitted()
    {
        var pair = new Pair(EcdsaA, EcdsaB);
        await using var _ = pair;
        var droppedClientHello = 0;
        var droppedServerHello = 0;

        // Handshake type sits right after the 13-byte record header of a handshake record (22).
        pair.Link.A.Drop = (d, _) => d[0] == 22 && d[13] == 1 && Interlocked.Exchange(ref droppedClientHello, 1) == 0;
        pair.Link.B.Drop = (d, _) => d[0] == 22 && d[13] == 2 && Interlocked.Exchange(ref droppedServerHello, 1) == 0;
        await pair.StartAsync(EcdsaB.GetFingerprint("sha-256"), EcdsaA.GetFingerprint("sha-256")).WaitAsync(Wait);

        Assert.That(droppedClientHello, Is.EqualTo(1));
        Assert.That(droppedServerHello, Is.EqualTo(1));
        Assert.That(pair.Client.State, Is.EqualTo(DtlsTransportState.Connected));
        AssertMirroredSrtpKeys(pair.Client, pair.Server);
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task CloseNotify_PeerGoesClosed(bool clientCloses)
    {
        await using var pair = await ConnectAsync(EcdsaA, EcdsaB);
        var closer = clientCloses ? pair.Client : pair.Server;
        var peer = clientCloses ? pair.Server : pair.Client;
        var peerClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        peer.StateChanged += (_, s) =>
        {
            if (s == DtlsTransportState.Closed)
            {
                peerClosed.TrySetResult();
            }
        };

        await closer.DisposeAsync();
        Assert.That(closer.State, Is.EqualTo(DtlsTransportState.Closed));
        await peerClosed.Task.WaitAsync(Wait);
        Assert.That(peer.State, Is.EqualTo(DtlsTransportState.Closed));
        Assert.That(peer.Error, Is.Null);
        Assert.That(peer.TrySend("late"u8), Is.False);
    }

    [Test]
    public async Task Garbage_IntoConnectedTransport_IsDropped_AndDataStillFlows()
    {
        await using var pair = await ConnectAsync(EcdsaA, EcdsaB);
        var received = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.Server.Receiver = data => received.TrySetResult(data.ToArray());

        var random = new Random(42);
        for (var i = 0; i < 2000; i++)
        {
            var junk = new byte[random.Next(0, 1500)];
            random.NextBytes(junk);
            if (i % 3 == 0 && junk.Length > 13)
            {
                // Plausible DTLS record headers reach the record layer and must be dropped there.
                junk[0] = (byte)random.Next(20, 26);
                junk[1] = 0xFE;
                junk[2] = 0xFD;
            }

            Assert.DoesNotThrow(() => pair.Link.A.Send(junk));
        }

        Assert.That(pair.Client.TrySend("still here"u8), Is.True);
        Assert.That(await received.Task.WaitAsync(Wait), Is.EqualTo("still here"u8.ToArray()));
        Assert.That(pair.Server.State, Is.EqualTo(DtlsTransportState.Connected));
        Assert.That(pair.Server.DroppedDatagrams, Is.GreaterThan(0));
    }

    [Test]
    public async Task HandshakeTimeout_Fails_WithClearMessage()
    {
        var link = new MemoryDatagramPair();
        link.A.Drop = (_, _) => true;
        var client = new DtlsTransport(link.A.Transport, EcdsaA, new DtlsTransportOptions { HandshakeTimeout = TimeSpan.FromMilliseconds(1500) });
        var ex = await Assert.ThrowsAsync<DtlsException>(() => client.StartAsync(DtlsRole.Client, EcdsaB.GetFingerprint("sha-256"), CancellationToken.None));
        Assert.That(ex!.Message, Does.Contain("did not complete"));
        Assert.That(client.State, Is.EqualTo(DtlsTransportState.Failed));
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.StartAsync(DtlsRole.Client, EcdsaB.GetFingerprint("sha-256"), CancellationToken.None));
    }

    // RFC 6347 §4.2.4.1: the first retransmission after the initial timeout, doubling after that.
    // Checked on the gaps between flights, which a loaded machine can only stretch, never shrink.
    [Test]
    public async Task InitialRetransmissionTimeout_SetsWhenTheFirstFlightIsSentAgain()
    {
        async Task<List<TimeSpan>> FlightTimesIn1500Ms(TimeSpan? initial)
        {
            var link = new MemoryDatagramPair();
            var times = new List<TimeSpan>();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            link.A.Drop = (datagram, _) =>
            {
                // Flights only (content type 22), not an alert.
                if (datagram.Length > 0 && datagram[0] == 22)
                {
                    lock (times)
                    {
                        times.Add(clock.Elapsed);
                    }
                }

                return true;
            };
            var client = new DtlsTransport(link.A.Transport, EcdsaA, new DtlsTransportOptions { HandshakeTimeout = TimeSpan.FromMilliseconds(1500) });
            if (initial is { } value)
            {
                client.InitialRetransmissionTimeout = value;
            }

            Assert.That(client.InitialRetransmissionTimeout, Is.EqualTo(initial ?? TimeSpan.FromSeconds(1)));
            await Assert.ThrowsAsync<DtlsException>(() => client.StartAsync(DtlsRole.Client, EcdsaB.GetFingerprint("sha-256"), CancellationToken.None));
            lock (times)
            {
                return [.. times];
            }
        }

        static List<double> Gaps(List<TimeSpan> times) => times.Zip(times.Skip(1), (a, b) => (b - a).TotalMilliseconds).ToList();

        // BouncyCastle sends the flight once more when its wait ends at the handshake deadline
        // (1.5 s here), so the last gap is cut short by the deadline, not by the timer: not checked.
        static List<double> TimerGaps(List<TimeSpan> times) => Gaps(times.Where(t => t.TotalMilliseconds < 1400).ToList());

        // 1 s: sent at 0, then not again for a second.
        var slow = await FlightTimesIn1500Ms(null);
        Assert.That(slow, Is.Not.Empty);
        Assert.That(TimerGaps(slow), Is.All.GreaterThanOrEqualTo(950), "no flight sent again before the default 1 s");

        // 50 ms: sent at 0, 50, 150, 350, 750 ms ...: each gap at least the first one doubled.
        var fast = TimerGaps(await FlightTimesIn1500Ms(TimeSpan.FromMilliseconds(50)));
        Assert.That(fast, Has.Count.GreaterThanOrEqualTo(2), "retransmitted after 50 ms, then again");
        Assert.That(fast[0], Is.GreaterThanOrEqualTo(0.9 * 50).And.LessThan(950), "the first retransmission follows the 50 ms initial timeout, not the default");
        for (int i = 1; i < fast.Count; i++)
        {
            Assert.That(fast[i], Is.GreaterThanOrEqualTo(0.9 * 50 * (1 << i)), $"gap {i} doubles");
        }

        var transport = new DtlsTransport(new MemoryDatagramPair().A.Transport, EcdsaA);
        Assert.Throws<ArgumentOutOfRangeException>(() => transport.InitialRetransmissionTimeout = TimeSpan.Zero);
    }

    // The client's CertificateVerify lost, its ChangeCipherSpec and Finished delivered: BouncyCastle
    // alone would switch epochs, never read the retransmitted CertificateVerify, and time out.
    [Test]
    public async Task LostCertificateVerify_TheRetransmissionCompletesTheHandshake()
    {
        var link = new MemoryDatagramPair();
        int verifiesDropped = 0;
        link.A.Drop = (datagram, _) =>
            IsHandshake(datagram, messageType: 15) && Interlocked.CompareExchange(ref verifiesDropped, 1, 0) == 0;
        var options = new DtlsTransportOptions { HandshakeTimeout = TimeSpan.FromSeconds(15), InitialRetransmissionTimeout = TimeSpan.FromMilliseconds(50) };
        await using var client = new DtlsTransport(link.A.Transport, EcdsaA, options);
        await using var server = new DtlsTransport(link.B.Transport, EcdsaB, options);
        await Task.WhenAll(
            client.StartAsync(DtlsRole.Client, EcdsaB.GetFingerprint("sha-256"), CancellationToken.None),
            server.StartAsync(DtlsRole.Server, EcdsaA.GetFingerprint("sha-256"), CancellationToken.None)).WaitAsync(Wait);
        Assert.That(verifiesDropped, Is.EqualTo(1), "the test dropped the first CertificateVerify");
        Assert.That((client.State, server.State), Is.EqualTo((DtlsTransportState.Connected, DtlsTransportState.Connected)));
    }

    // 10% random loss each way on 40 handshakes at once, each seeded: every one connects.
    [Test]
    public async Task TenPercentLoss_EveryHandshakeCompletes()
    {
        var options = new DtlsTransportOptions { HandshakeTimeout = TimeSpan.FromSeconds(25), InitialRetransmissionTimeout = TimeSpan.FromMilliseconds(50) };
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 40).Select(async seed =>
        {
            var link = new MemoryDatagramPair();
            var random = new Random(seed);
            bool Lose(byte[] datagram, int index)
            {
                lock (random)
                {
                    return random.NextDouble() < 0.10;
                }
            }

            link.A.Drop = Lose;
            link.B.Drop = Lose;
            await using var client = new DtlsTransport(link.A.Transport, EcdsaA, options);
            await using var server = new DtlsTransport(link.B.Transport, EcdsaB, options);
            try
            {
                await Task.WhenAll(
                    client.StartAsync(DtlsRole.Client, EcdsaB.GetFingerprint("sha-256"), CancellationToken.None),
                    server.StartAsync(DtlsRole.Server, EcdsaA.GetFingerprint("sha-256"), CancellationToken.None));
                return $"seed {seed}: connected, {link.A.Dropped + link.B.Dropped} lost";
            }
            catch (DtlsException e)
            {
                return $"seed {seed}: FAILED ({e.Message}), {link.A.Dropped + link.B.Dropped} lost";
            }
        }));
        Assert.That(outcomes.Where(o => o.Contains("FAILED", StringComparison.Ordinal)), Is.Empty);
    }

    private static bool IsHandshake(byte[] datagram, byte messageType)
    {
        for (int offset = 0; offset + 25 <= datagram.Length; offset += 13 + ((datagram[offset + 11] << 8) | datagram[offset + 12]))
        {
            if (datagram[offset] == 22 && datagram[offset + 3] == 0 && datagram[offset + 4] == 0 && datagram[offset + 13] == messageType)
            {
                return true;
            }
        }

        return false;
    }

    [Test]
    public async Task Cancel_DuringHandshake_Throws_OperationCanceled()
    {
        var link = new MemoryDatagramPair();
        var client = new DtlsTransport(link.A.Transport, EcdsaA);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.CatchAsync<OperationCanceledException>(() => client.StartAsync(DtlsRole.Client, EcdsaB.GetFingerprint("sha-256"), cts.Token));
        Assert.That(client.State, Is.EqualTo(DtlsTransportState.Closed));
    }

    [Test]
    public async Task StateChanged_Sequence()
    {
        var pair = new Pair(EcdsaA, EcdsaB);
        var states = new List<DtlsTransportState>();
        pair.Client.StateChanged += (_, s) => { lock (states) { states.Add(s); } };
        await pair.StartAsync(EcdsaB.GetFingerprint("sha-256"), EcdsaA.GetFingerprint("sha-256")).WaitAsync(Wait);
        await pair.DisposeAsync();
        Assert.That(states, Is.EqualTo(new[] { DtlsTransportState.Connecting, DtlsTransportState.Connected, DtlsTransportState.Closed }));
    }

    [Test]
    public async Task NoCommonSrtpProfile_ConnectsWithoutProfile_KeyingMaterialThrows()
    {
        var link = new MemoryDatagramPair();
        await using var client = new DtlsTransport(link.A.Transport, EcdsaA, new DtlsTransportOptions { SrtpProfiles = [] });
        await using var server = new DtlsTransport(link.B.Transport, EcdsaB);
        await Task.WhenAll(
            client.StartAsync(DtlsRole.Client, EcdsaB.GetFingerprint("sha-256"), CancellationToken.None),
            server.StartAsync(DtlsRole.Server, EcdsaA.GetFingerprint("sha-256"), CancellationToken.None)).WaitAsync(Wait);
        Assert.That(client.SrtpProfile, Is.Null);
        Assert.That(server.SrtpProfile, Is.Null);
        var ex = Assert.Throws<InvalidOperationException>(() => client.GetSrtpKeyingMaterial());
        Assert.That(ex!.Message, Does.Contain("no SRTP protection profile"));
        Assert.Throws<InvalidOperationException>(() => server.GetSrtpKeyingMaterial());
    }

    [Test]
    public async Task Garbage_DuringHandshake_DoesNotPreventIt()
    {
        var pair = new Pair(EcdsaA, EcdsaB);
        await using var _ = pair;
        var random = new Random(7);
        var start = pair.StartAsync(EcdsaB.GetFingerprint("sha-256"), EcdsaA.GetFingerprint("sha-256"));
        for (var i = 0; i < 200; i++)
        {
            var junk = new byte[random.Next(14, 300)];
            random.NextBytes(junk);
            junk[0] = 22;
            junk[1] = 0xFE;
            junk[2] = 0xFD;
            pair.Link.A.Send(junk);
            pair.Link.B.Send(junk);
        }

        await start.WaitAsync(Wait);
        AssertMirroredSrtpKeys(pair.Client, pair.Server);
    }

    [Test]
    public async Task Sha1AndSha512Fingerprints_AreAccepted()
    {
        var pair = new Pair(EcdsaA, EcdsaB);
        await using var _ = pair;
        await pair.StartAsync(EcdsaB.GetFingerprint("sha-512"), EcdsaA.GetFingerprint("sha-1")).WaitAsync(Wait);
        Assert.That(pair.Client.State, Is.EqualTo(DtlsTransportState.Connected));
    }
}
