using System.Collections.Concurrent;
using WebRtc.Client.DataChannels;
using WebRtc.Client.Dtls;
using WebRtc.Client.IntegrationTests.Secure;
using WebRtc.Client.Sctp;

namespace WebRtc.Client.IntegrationTests.DataChannels;

/// <summary>ICE + DTLS + SCTP + data channels on real loopback sockets, with and without kernel packet loss.</summary>
[NonParallelizable]
public class DataChannelLoopbackTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private sealed class Stack : IAsyncDisposable
    {
        public required IceDtlsLoopbackTests.Endpoints Endpoints { get; init; }

        public required DtlsTransport DtlsOfferer { get; init; }

        public required DtlsTransport DtlsAnswerer { get; init; }

        public required SctpTransport SctpOfferer { get; init; }

        public required SctpTransport SctpAnswerer { get; init; }

        public required DataChannelController Offerer { get; init; }

        public required DataChannelController Answerer { get; init; }

        public static async Task<Stack> ConnectAsync(int? minPort = null, int? maxPort = null)
        {
            var endpoints = await IceDtlsLoopbackTests.Endpoints.ConnectAsync(minPort, maxPort);
            // A short first retransmission, as RTCPeerConnection sets from the ICE round trip: with
            // BouncyCastle's default 1 s, doubling, a lossy handshake has only five tries in 30 s.
            var dtlsOptions = new DtlsTransportOptions { InitialRetransmissionTimeout = TimeSpan.FromMilliseconds(100) };
            var offerer = new DtlsTransport(endpoints.OffererIce.Dtls, endpoints.OffererCertificate, dtlsOptions);
            var answerer = new DtlsTransport(endpoints.AnswererIce.Dtls, endpoints.AnswererCertificate, dtlsOptions);
            await Task.WhenAll(
                offerer.StartAsync(DtlsRole.Server, endpoints.AnswererCertificate.GetFingerprint("sha-256")),
                answerer.StartAsync(DtlsRole.Client, endpoints.OffererCertificate.GetFingerprint("sha-256"))).WaitAsync(Timeout);
            var sctpOfferer = new SctpTransport(offerer);
            var sctpAnswerer = new SctpTransport(answerer);
            var stack = new Stack
            {
                Endpoints = endpoints,
                DtlsOfferer = offerer,
                DtlsAnswerer = answerer,
                SctpOfferer = sctpOfferer,
                SctpAnswerer = sctpAnswerer,
                Offerer = new DataChannelController(sctpOfferer, isDtlsClient: false),
                Answerer = new DataChannelController(sctpAnswerer, isDtlsClient: true),
            };

            // Both sides start the association, as browsers do; the INIT collision resolves it.
            sctpOfferer.Start();
            await sctpAnswerer.ConnectAsync().WaitAsync(Timeout);
            await sctpOfferer.ConnectAsync().WaitAsync(Timeout);
            return stack;
        }

        public async Task<(RTCDataChannel Local, RTCDataChannel Remote)> OpenAsync(string label, RTCDataChannelInit? init = null)
        {
            var remote = new TaskCompletionSource<RTCDataChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnChannel(object? s, RTCDataChannelEventArgs e)
            {
                if (e.Channel.Label == label)
                {
                    remote.TrySetResult(e.Channel);
                }
            }

            Answerer.DataChannel += OnChannel;
            var local = Offerer.CreateDataChannel(label, init);
            var channel = await remote.Task.WaitAsync(Timeout);
            Answerer.DataChannel -= OnChannel;
            return (local, channel);
        }

        public async ValueTask DisposeAsync()
        {
            await SctpOfferer.DisposeAsync();
            await SctpAnswerer.DisposeAsync();
            await DtlsOfferer.DisposeAsync();
            await DtlsAnswerer.DisposeAsync();
            await Endpoints.DisposeAsync();
        }
    }

    [Test]
    public async Task EveryChannelKind_CarriesMessages_OverIceDtlsSctp()
    {
        await using var stack = await Stack.ConnectAsync();
        Assert.That(stack.DtlsOfferer.CipherSuite, Is.EqualTo(0xC02B));
        var kinds = new (string Label, RTCDataChannelInit Init)[]
        {
            ("reliable", new RTCDataChannelInit()),
            ("unordered", new RTCDataChannelInit { Ordered = false }),
            ("rexmit", new RTCDataChannelInit { MaxRetransmits = 2 }),
            ("rexmit-unordered", new RTCDataChannelInit { Ordered = false, MaxRetransmits = 0 }),
            ("timed", new RTCDataChannelInit { MaxPacketLifeTime = 1000 }),
            ("timed-unordered", new RTCDataChannelInit { Ordered = false, MaxPacketLifeTime = 300 }),
        };
        foreach (var (label, init) in kinds)
        {
            var (local, remote) = await stack.OpenAsync(label, init);
            Assert.That((remote.Ordered, remote.MaxRetransmits, remote.MaxPacketLifeTime), Is.EqualTo((init.Ordered, init.MaxRetransmits, init.MaxPacketLifeTime)), label);
            var got = new ConcurrentQueue<byte[]>();
            remote.MessageReceived += (_, m) => got.Enqueue(m.ToArray());
            var sent = new List<byte[]>();
            var random = new Random(label.Length);
            for (int i = 0; i < 100; i++)
            {
                var message = new byte[i == 0 ? 256 * 1024 : 1 + random.Next(20_000)];
                random.NextBytes(message);
                sent.Add(message);
                await local.SendAsync(message);
            }

            var end = DateTime.UtcNow + Timeout;
            while (got.Count < sent.Count && DateTime.UtcNow < end)
            {
                await Task.Delay(10);
            }

            // Loopback loses nothing, so even partially reliable channels deliver everything.
            Assert.That(got.Count, Is.EqualTo(sent.Count), label);
            if (init.Ordered)
            {
                Assert.That(got, Is.EqualTo(sent), label);
            }
            else
            {
                Assert.That(got.Select(Convert.ToBase64String).Order(), Is.EqualTo(sent.Select(Convert.ToBase64String).Order()), label);
            }

            await local.CloseAsync().WaitAsync(Timeout);
            Assert.That(() => remote.ReadyState, Is.EqualTo(RTCDataChannelState.Closed).After(5000, 10));
        }
    }

    [Test]
    public async Task KernelPacketLoss_ReliableChannelStillDeliversEverything_PartialNeverCorrupts()
    {
        const int minPort = 47100, maxPort = 47199;
        await using var loss = await KernelPacketLoss.StartAsync(minPort, maxPort, percent: 10);
        await using var stack = await Stack.ConnectAsync(minPort, maxPort);
        var (reliable, reliableRemote) = await stack.OpenAsync("reliable");
        var (partial, partialRemote) = await stack.OpenAsync("partial", new RTCDataChannelInit { Ordered = false, MaxRetransmits = 1 });

        var reliableGot = new ConcurrentQueue<int>();
        var partialGot = new ConcurrentQueue<byte[]>();
        reliableRemote.MessageReceived += (_, m) => reliableGot.Enqueue(BitConverter.ToInt32(m.Span));
        partialRemote.MessageReceived += (_, m) => partialGot.Enqueue(m.ToArray());
        const int count = 1000;
        var partialSent = new Dictionary<int, byte[]>();
        var random = new Random(7);
        for (int i = 0; i < count; i++)
        {
            var message = new byte[4 + random.Next(8000)];
            random.NextBytes(message);
            BitConverter.TryWriteBytes(message, i);
            await reliable.SendAsync(message);
            partialSent[i] = message;
            await partial.SendAsync(message);
        }

        var end = DateTime.UtcNow + Timeout;
        while (reliableGot.Count < count && DateTime.UtcNow < end)
        {
            await Task.Delay(20);
        }

        Assert.That(reliableGot, Is.EqualTo(Enumerable.Range(0, count)));
        var seen = new HashSet<int>();
        foreach (var message in partialGot)
        {
            int index = BitConverter.ToInt32(message);
            Assert.That(seen.Add(index), Is.True, "duplicate");
            Assert.That(message, Is.EqualTo(partialSent[index]), "corrupted");
        }

        long dropped = await loss.DroppedAsync();
        TestContext.Out.WriteLine($"kernel dropped {dropped} datagrams; partial channel delivered {partialGot.Count}/{count}; " +
            $"retransmissions {stack.SctpOfferer.Statistics.Retransmissions}, abandoned {stack.SctpOfferer.Statistics.MessagesAbandoned}");
        Assert.That(dropped, Is.GreaterThan(100), "the loss rule must actually have dropped traffic");
    }
}
