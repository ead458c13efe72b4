using System.Collections.Concurrent;
using WebRtc.Client.DataChannels;
using WebRtc.Client.Net;
using WebRtc.Client.Sctp;

namespace WebRtc.Client.Tests.DataChannels;

/// <summary>
/// Firefox closes a peer connection with a stream reset for each channel and then an ABORT, back to
/// back. Our channel must report the abort as an error before it closes whichever thread delivers the
/// reset event: when another thread is dispatching the transport's events, the reset reaches the
/// controller only after the receive loop has already taken the ABORT.
/// </summary>
public class PeerResetThenAbortTests
{
    private const byte ReconfigChunk = 130, AbortChunk = 6;

    [Test]
    public async Task ResetDispatchedAfterTheAbort_ChannelStillReportsTheAbortBeforeClosing()
    {
        var link = new QueuedDatagramLink();
        var held = new HeldEnd(link.B);
        var association = new SctpAssociationOptions { RtoMin = TimeSpan.FromMilliseconds(50), RtoInitial = TimeSpan.FromMilliseconds(200) };
        await using var sctpA = new SctpTransport(link.A, new SctpTransportOptions { Association = association });
        await using var sctpB = new SctpTransport(held, new SctpTransportOptions { Association = association });

        // Subscribed before B's controller, so it runs first and keeps its thread dispatching.
        using var inHandler = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        bool block = false;
        sctpB.IncomingStreamsReset += (_, _) =>
        {
            if (Volatile.Read(ref block))
            {
                inHandler.Set();
                release.Wait(TimeSpan.FromSeconds(10));
            }
        };
        var a = new DataChannelController(sctpA, isDtlsClient: true);
        var b = new DataChannelController(sctpB, isDtlsClient: false);
        var connected = sctpA.ConnectAsync();
        sctpB.Start();
        await connected.WaitAsync(TimeSpan.FromSeconds(10));

        var remoteTask = new TaskCompletionSource<RTCDataChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
        b.DataChannel += (_, e) => remoteTask.TrySetResult(e.Channel);
        var local = a.CreateDataChannel("doomed");
        var remote = await remoteTask.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await DataChannelPair.WaitUntil(() => local.ReadyState == RTCDataChannelState.Open && remote.ReadyState == RTCDataChannelState.Open);
        var events = new ConcurrentQueue<string>();
        remote.Error += (_, e) => events.Enqueue("error: " + e.Error.Message);
        remote.Close += (_, _) => events.Enqueue("close");

        // A closes the channel (RE-CONFIG) and aborts (ABORT), as Firefox's pc.close() does; B holds both.
        held.Hold = true;
        Volatile.Write(ref block, true);
        _ = local.CloseAsync(); // completes when the association ends: B never answers the reset here
        await DataChannelPair.WaitUntil(() => held.Contains(ReconfigChunk));
        sctpA.Abort("closed by the test");
        await DataChannelPair.WaitUntil(() => held.Contains(AbortChunk));

        // The reset on one thread, which stays in the event handler; the ABORT on this one meanwhile.
        var beforeAbort = held.TakeUntil(AbortChunk);
        var resetThread = Task.Run(() => held.Deliver(beforeAbort));
        Assert.That(inHandler.Wait(TimeSpan.FromSeconds(10)), Is.True, "the reset event reached the first handler");
        held.Deliver(held.TakeAll());
        Assert.That(sctpB.DescribeState(), Does.StartWith("Closed"), "B took the ABORT while the reset event was being dispatched");
        release.Set();
        await resetThread.WaitAsync(TimeSpan.FromSeconds(10));

        await DataChannelPair.WaitUntil(() => remote.ReadyState == RTCDataChannelState.Closed);
        await DataChannelPair.WaitUntil(() => sctpB.State == RTCSctpTransportState.Closed);
        Assert.That(events, Has.Count.EqualTo(2), string.Join(" | ", events));
        Assert.That(events.First(), Does.StartWith("error: ").And.Contain("aborted by the peer"), "the abort is reported, as when the reset is dispatched first");
        Assert.That(events.Last(), Is.EqualTo("close"));
        Assert.That(b.Channels, Is.Empty);
        await link.DisposeAsync();
    }

    /// <summary>Passes datagrams on, or holds them (when <see cref="Hold"/>) for the test to deliver on a thread it chooses.</summary>
    private sealed class HeldEnd : IDatagramTransport
    {
        private readonly IDatagramTransport _inner;
        private readonly List<byte[]> _held = [];

        public HeldEnd(IDatagramTransport inner)
        {
            _inner = inner;
            inner.Receiver = OnDatagram;
        }

        public bool Hold { get; set; }

        public bool IsWritable => _inner.IsWritable;

        public DatagramReceiver? Receiver { get; set; }

        public bool TrySend(ReadOnlySpan<byte> datagram) => _inner.TrySend(datagram);

        /// <summary>Whether a held SCTP packet carries a chunk of this type first.</summary>
        public bool Contains(byte chunkType)
        {
            lock (_held)
            {
                return _held.Any(d => FirstChunk(d) == chunkType);
            }
        }

        /// <summary>The held packets before the first one that starts with <paramref name="chunkType"/>.</summary>
        public List<byte[]> TakeUntil(byte chunkType)
        {
            lock (_held)
            {
                int index = _held.FindIndex(d => FirstChunk(d) == chunkType);
                var taken = _held.Take(index).ToList();
                _held.RemoveRange(0, index);
                return taken;
            }
        }

        public List<byte[]> TakeAll()
        {
            lock (_held)
            {
                var taken = _held.ToList();
                _held.Clear();
                return taken;
            }
        }

        public void Deliver(List<byte[]> datagrams)
        {
            foreach (var datagram in datagrams)
            {
                Receiver?.Invoke(datagram);
            }
        }

        private static byte FirstChunk(byte[] packet) => packet.Length > 12 ? packet[12] : (byte)0;

        private void OnDatagram(ReadOnlySpan<byte> datagram)
        {
            if (Hold)
            {
                lock (_held)
                {
                    _held.Add(datagram.ToArray());
                }

                return;
            }

            Receiver?.Invoke(datagram);
        }
    }
}
