using System.Collections.Concurrent;
using WebRtc.Client.DataChannels;
using WebRtc.Client.Sctp;

namespace WebRtc.Client.Tests.DataChannels;

public class DataChannelTests
{
    private static async Task<RTCDataChannel> OpenAsync(DataChannelPair pair, string label, RTCDataChannelInit? init = null)
    {
        var remote = new TaskCompletionSource<RTCDataChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChannel(object? s, RTCDataChannelEventArgs e)
        {
            if (e.Channel.Label == label)
            {
                remote.TrySetResult(e.Channel);
            }
        }

        pair.B.DataChannel += OnChannel;
        pair.A.CreateDataChannel(label, init);
        var channel = await remote.Task.WaitAsync(TimeSpan.FromSeconds(10));
        pair.B.DataChannel -= OnChannel;
        return channel;
    }

    // werift's INIT comes right after its DTLS Finished, before our transport is started: it is held
    // until Start, then answered with the tag of our own INIT, so both sides converge (RFC 9260 §5.2.1).
    [Test]
    public async Task PeerInitBeforeOurStart_IsHeldUntilStart_ThenTheAssociationConnects()
    {
        await using var pair = new DataChannelPair();
        var a = pair.SctpA.ConnectAsync();
        await DataChannelPair.WaitUntil(() => pair.SctpA.Statistics.PacketsSent >= 2); // INIT and a retransmission
        Assert.That(pair.SctpB.Statistics.PacketsReceived, Is.Zero, "nothing is handled before Start");
        Assert.That(a.IsCompleted, Is.False, "no INIT ACK can come from a transport that has not started");

        var remote = new TaskCompletionSource<RTCDataChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.A.DataChannel += (_, e) => remote.TrySetResult(e.Channel);
        pair.SctpB.Start();
        await a.WaitAsync(TimeSpan.FromSeconds(10));
        await DataChannelPair.WaitUntil(() => pair.SctpB.State == RTCSctpTransportState.Connected);
        pair.B.CreateDataChannel("after-held-init");
        Assert.That((await remote.Task.WaitAsync(TimeSpan.FromSeconds(10))).Label, Is.EqualTo("after-held-init"));
    }

    [Test]
    public async Task InBandChannel_OpensOnBothSides_AndCarriesTextBinaryAndEmpty()
    {
        await using var pair = new DataChannelPair();
        await pair.ConnectAsync();
        var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        RTCDataChannel? remote = null;
        var received = new BlockingCollection<(bool Binary, string? Text, byte[] Data)>();
        pair.B.DataChannel += (_, e) =>
        {
            remote = e.Channel;
            e.Channel.Open += (_, _) => opened.TrySetResult();
            e.Channel.MessageReceived += (_, m) => received.Add((m.IsBinary, m.Text, m.ToArray()));
        };

        var local = pair.A.CreateDataChannel("chat", new RTCDataChannelInit { Protocol = "json", Priority = RTCPriorityType.High });
        Assert.That(local.ReadyState, Is.EqualTo(RTCDataChannelState.Open));
        await opened.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(remote!.Label, Is.EqualTo("chat"));
        Assert.That(remote.Protocol, Is.EqualTo("json"));
        Assert.That(remote.Priority, Is.EqualTo(RTCPriorityType.High));
        Assert.That(remote.Id, Is.EqualTo(local.Id));
        Assert.That(remote.Ordered && !remote.Negotiated, Is.True);

        local.Send("héllo");
        local.Send([1, 2, 3]);
        local.Send(string.Empty);
        local.Send(ReadOnlySpan<byte>.Empty);
        var got = Enumerable.Range(0, 4).Select(_ => received.Take(new CancellationTokenSource(5000).Token)).ToArray();
        Assert.That(got[0], Is.EqualTo((false, (string?)"héllo", "héllo"u8.ToArray())).Using<(bool, string?, byte[])>((x, y) => x.Item1 == y.Item1 && x.Item2 == y.Item2 && x.Item3.SequenceEqual(y.Item3)));
        Assert.That(got[1].Binary && got[1].Data.SequenceEqual(new byte[] { 1, 2, 3 }), Is.True);
        Assert.That(!got[2].Binary && got[2].Text == string.Empty && got[2].Data.Length == 0, Is.True, "empty text uses PPID 56");
        Assert.That(got[3].Binary && got[3].Data.Length == 0, Is.True, "empty binary uses PPID 57");

        // And back.
        var back = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        local.MessageReceived += (_, m) => back.TrySetResult(m.Text);
        remote.Send("pong");
        Assert.That(await back.Task.WaitAsync(TimeSpan.FromSeconds(5)), Is.EqualTo("pong"));
    }

    [TestCase(true, null, null)]
    [TestCase(false, null, null)]
    [TestCase(true, (ushort)3, null)]
    [TestCase(false, (ushort)0, null)]
    [TestCase(true, null, (ushort)500)]
    [TestCase(false, null, (ushort)100)]
    public async Task EveryChannelType_IsAnnouncedAndCarriesData(bool ordered, ushort? maxRetransmits, ushort? maxLifetime)
    {
        await using var pair = new DataChannelPair();
        await pair.ConnectAsync();
        var init = new RTCDataChannelInit { Ordered = ordered, MaxRetransmits = maxRetransmits, MaxPacketLifeTime = maxLifetime };
        var remote = await OpenAsync(pair, "typed", init);
        Assert.That(remote.Ordered, Is.EqualTo(ordered));
        Assert.That(remote.MaxRetransmits, Is.EqualTo(maxRetransmits));
        Assert.That(remote.MaxPacketLifeTime, Is.EqualTo(maxLifetime));

        var local = pair.A.Channels.Single(c => c.Label == "typed");
        var count = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        remote.MessageReceived += (_, m) =>
        {
            if (Interlocked.Increment(ref count) == 200)
            {
                all.TrySetResult();
            }
        };
        for (int i = 0; i < 200; i++)
        {
            local.Send(new byte[1 + (i * 37 % 3000)]);
        }

        await all.Task.WaitAsync(TimeSpan.FromSeconds(10)); // lossless link: partial reliability loses nothing
    }

    [Test]
    public async Task NegotiatedChannel_OpensWithoutDcep()
    {
        await using var pair = new DataChannelPair();
        var a = pair.A.CreateDataChannel("n", new RTCDataChannelInit { Negotiated = true, Id = 7 });
        var b = pair.B.CreateDataChannel("n", new RTCDataChannelInit { Negotiated = true, Id = 7 });
        Assert.That(a.ReadyState, Is.EqualTo(RTCDataChannelState.Connecting));
        var announced = false;
        pair.B.DataChannel += (_, _) => announced = true;
        var got = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        b.MessageReceived += (_, m) => got.TrySetResult(m.Text);
        await pair.ConnectAsync();
        await DataChannelPair.WaitUntil(() => a.ReadyState == RTCDataChannelState.Open && b.ReadyState == RTCDataChannelState.Open);
        a.Send("negotiated");
        Assert.That(await got.Task.WaitAsync(TimeSpan.FromSeconds(5)), Is.EqualTo("negotiated"));
        Assert.That(announced, Is.False);
    }

    [Test]
    public async Task StreamIds_FollowDtlsRoleParity()
    {
        // RFC 8832 §6: the DTLS client uses even stream ids, the server odd ones.
        await using var pair = new DataChannelPair();
        await pair.ConnectAsync();
        var a1 = pair.A.CreateDataChannel("a1");
        var a2 = pair.A.CreateDataChannel("a2");
        var b1 = pair.B.CreateDataChannel("b1");
        Assert.That(a1.Id, Is.EqualTo((ushort)0));
        Assert.That(a2.Id, Is.EqualTo((ushort)2));
        Assert.That(b1.Id, Is.EqualTo((ushort)1));
    }

    [Test]
    public async Task ChannelsCreatedBeforeConnect_OpenOnceConnected()
    {
        await using var pair = new DataChannelPair();
        var early = pair.A.CreateDataChannel("early");
        Assert.That(early.ReadyState, Is.EqualTo(RTCDataChannelState.Connecting));
        Assert.Throws<InvalidStateException>(() => early.Send("too soon"));
        var remote = new TaskCompletionSource<RTCDataChannel>(TaskCreationOptions.RunContinuationsAsynchronously);
        pair.B.DataChannel += (_, e) => remote.TrySetResult(e.Channel);
        await pair.ConnectAsync();
        Assert.That((await remote.Task.WaitAsync(TimeSpan.FromSeconds(10))).Label, Is.EqualTo("early"));
        Assert.That(early.ReadyState, Is.EqualTo(RTCDataChannelState.Open));
    }

    [Test]
    public async Task Close_ResetsTheStream_AndThePeerSeesClosingThenClose()
    {
        await using var pair = new DataChannelPair();
        await pair.ConnectAsync();
        var remote = await OpenAsync(pair, "closing");
        var local = pair.A.Channels.Single(c => c.Label == "closing");
        var events = new ConcurrentQueue<string>();
        remote.Closing += (_, _) => events.Enqueue("closing");
        remote.Close += (_, _) => events.Enqueue("close");
        var lastMessage = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        remote.MessageReceived += (_, m) => events.Enqueue("message " + m.Span.Length);

        local.Send(new byte[100_000]); // queued data is delivered before the reset
        await local.CloseAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await DataChannelPair.WaitUntil(() => remote.ReadyState == RTCDataChannelState.Closed);
        Assert.That(events, Is.EqualTo(new[] { "message 100000", "closing", "close" }));
        Assert.That(local.ReadyState, Is.EqualTo(RTCDataChannelState.Closed));
        Assert.That(pair.A.Channels, Is.Empty);
        Assert.That(pair.B.Channels, Is.Empty);
        Assert.Throws<InvalidStateException>(() => local.Send("after close"));

        // The id is free again, and the new channel's SSNs start over.
        var again = await OpenAsync(pair, "again");
        Assert.That(again.Id, Is.EqualTo(local.Id));
        var got = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        again.MessageReceived += (_, m) => got.TrySetResult(m.Text);
        pair.A.Channels.Single().Send("reused");
        Assert.That(await got.Task.WaitAsync(TimeSpan.FromSeconds(5)), Is.EqualTo("reused"));
    }

    [Test]
    public async Task ThreeHundredChannels_OnOneAssociation()
    {
        await using var pair = new DataChannelPair();
        await pair.ConnectAsync();
        var received = new ConcurrentDictionary<string, string>();
        pair.B.DataChannel += (_, e) => e.Channel.MessageReceived += (_, m) => received[e.Channel.Label] = m.Text!;
        var channels = Enumerable.Range(0, 300).Select(i => pair.A.CreateDataChannel("c" + i)).ToArray();
        foreach (var c in channels)
        {
            c.Send("hello " + c.Label);
        }

        await DataChannelPair.WaitUntil(() => received.Count == 300);
        Assert.That(received.All(kv => kv.Value == "hello " + kv.Key), Is.True);
        Assert.That(channels.Select(c => c.Id).Distinct().Count(), Is.EqualTo(300));
        Assert.That(channels.Max(c => c.Id), Is.EqualTo((ushort)598));
    }

    [Test]
    public async Task LargeMessages_UpToMaxMessageSize_AndLargerIsRefused()
    {
        await using var pair = new DataChannelPair();
        await pair.ConnectAsync();
        var remote = await OpenAsync(pair, "big");
        var local = pair.A.Channels.Single();
        var big = new byte[256 * 1024];
        new Random(5).NextBytes(big);
        var got = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        remote.MessageReceived += (_, m) => got.TrySetResult(m.ToArray());
        local.Send(big);
        Assert.That(await got.Task.WaitAsync(TimeSpan.FromSeconds(10)), Is.EqualTo(big));
        Assert.That(local.MaxMessageSize, Is.EqualTo(256 * 1024));
        var ex = Assert.Throws<ArgumentException>(() => local.Send(new byte[(256 * 1024) + 1]));
        Assert.That(ex!.Message, Does.Contain("max-message-size"));
    }

    [Test]
    public async Task BufferedAmountLow_FiresWhenTheQueueDrains_AndSendAsyncWaitsForRoom()
    {
        await using var pair = new DataChannelPair(options: new DataChannelOptions { SendAsyncBufferLimit = 256 * 1024 });
        await pair.ConnectAsync();
        var remote = await OpenAsync(pair, "flow");
        var local = pair.A.Channels.Single();
        long received = 0;
        remote.MessageReceived += (_, m) => Interlocked.Add(ref received, m.Span.Length);
        local.BufferedAmountLowThreshold = 64 * 1024;
        var low = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        local.BufferedAmountLow += (_, _) => low.TrySetResult();

        for (int i = 0; i < 40; i++)
        {
            local.Send(new byte[64 * 1024]);
        }

        Assert.That(local.BufferedAmount, Is.GreaterThan(64 * 1024));
        await low.Task.WaitAsync(TimeSpan.FromSeconds(10));

        long maxSeen = 0;
        for (int i = 0; i < 100; i++)
        {
            await local.SendAsync(new byte[32 * 1024]).WaitAsync(TimeSpan.FromSeconds(10));
            maxSeen = Math.Max(maxSeen, local.BufferedAmount);
        }

        Assert.That(maxSeen, Is.LessThanOrEqualTo(256 * 1024));
        await DataChannelPair.WaitUntil(() => Interlocked.Read(ref received) == (40 * 64 * 1024) + (100 * 32 * 1024));
    }

    [Test]
    public async Task SendBufferFull_ThrowsOperationError()
    {
        await using var pair = new DataChannelPair(options: new DataChannelOptions { MaxBufferedAmount = 100_000 });
        await pair.ConnectAsync();
        await OpenAsync(pair, "full");
        var local = pair.A.Channels.Single();
        pair.Link.A.Blackhole = true; // nothing leaves, so everything stays buffered once cwnd is used
        Assert.Throws<OperationErrorException>(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                local.Send(new byte[50_000]);
            }
        });
    }

    [Test]
    public async Task AssociationFailure_ClosesChannelsWithAnError()
    {
        await using var pair = new DataChannelPair();
        await pair.ConnectAsync();
        var remote = await OpenAsync(pair, "doomed");
        var error = new TaskCompletionSource<RTCException>(TaskCreationOptions.RunContinuationsAsynchronously);
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        remote.Error += (_, e) => error.TrySetResult(e.Error);
        remote.Close += (_, _) => closed.TrySetResult();
        pair.SctpA.Abort("test abort");
        Assert.That((await error.Task.WaitAsync(TimeSpan.FromSeconds(10))).Message, Does.Contain("test abort"));
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(pair.SctpB.State, Is.EqualTo(RTCSctpTransportState.Closed));
    }

    [Test]
    public async Task CreateDataChannel_ValidatesLikeTheW3CSpec()
    {
        await using var pair = new DataChannelPair();
        Assert.Throws<ArgumentException>(() => pair.A.CreateDataChannel("x", new RTCDataChannelInit { MaxRetransmits = 1, MaxPacketLifeTime = 1 }));
        Assert.Throws<ArgumentException>(() => pair.A.CreateDataChannel("x", new RTCDataChannelInit { Negotiated = true }));
        Assert.Throws<ArgumentException>(() => pair.A.CreateDataChannel(new string('x', 70_000)));
        Assert.Throws<ArgumentException>(() => pair.A.CreateDataChannel("x", new RTCDataChannelInit { Negotiated = true, Id = 65535 }));
        pair.A.CreateDataChannel("x", new RTCDataChannelInit { Negotiated = true, Id = 4 });
        Assert.Throws<OperationErrorException>(() => pair.A.CreateDataChannel("y", new RTCDataChannelInit { Negotiated = true, Id = 4 }));
    }

    [Test]
    public async Task LossyLink_ReliableChannelDeliversEverythingInOrder()
    {
        await using var pair = new DataChannelPair(seed: 3);
        await pair.ConnectAsync();
        var remote = await OpenAsync(pair, "lossy");
        var local = pair.A.Channels.Single();
        var got = new ConcurrentQueue<int>();
        remote.MessageReceived += (_, m) => got.Enqueue(BitConverter.ToInt32(m.Span));
        pair.Link.A.Loss = 0.1;
        pair.Link.B.Loss = 0.1;
        for (int i = 0; i < 500; i++)
        {
            var msg = new byte[4 + (i * 131 % 5000)];
            BitConverter.TryWriteBytes(msg, i);
            local.Send(msg);
        }

        await DataChannelPair.WaitUntil(() => got.Count == 500, seconds: 60);
        Assert.That(got, Is.EqualTo(Enumerable.Range(0, 500)));
    }

    [Test]
    public void DcepOpen_RoundTripsAndRejectsJunk()
    {
        // RFC 8832 §5.1.
        var open = new DcepOpen(DcepChannelType.PartialReliableTimedUnordered, 512, 1500, "label ✓", "proto");
        Assert.That(DcepOpen.TryParse(open.ToBytes(), out var parsed), Is.True);
        Assert.That(parsed, Is.EqualTo(open));
        var random = new Random(9);
        var valid = open.ToBytes();
        for (int i = 0; i < 100_000; i++)
        {
            var junk = i % 2 == 0 ? new byte[random.Next(0, 40)] : (byte[])valid.Clone();
            if (i % 2 == 0)
            {
                random.NextBytes(junk);
            }
            else
            {
                junk[random.Next(junk.Length)] ^= (byte)(1 << random.Next(8));
                junk = junk.AsSpan(0, random.Next(junk.Length + 1)).ToArray();
            }

            DcepOpen.TryParse(junk, out _);
        }

        Assert.That(DcepOpen.TryParse([0x03, 0x00], out _), Is.False);
        Assert.That(DcepOpen.TryParse([0x03, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], out _), Is.False, "unknown channel type");
    }
}
