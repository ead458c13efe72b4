using System.Text;
using System.Text.Json.Nodes;
using WebRtc.Client.DataChannels;
using WebRtc.Client.Sctp;

namespace WebRtc.Client.InteropTests;

/// <summary>
/// Data channels between our RTCPeerConnection and a foreign stack: headless Chromium (the
/// reference), headless Firefox ESR, werift and libdatachannel. Every case runs with either side offering.
/// </summary>
[NonParallelizable]
public sealed class DataChannelInteropTests
{
    private const string Chromium = ForeignPeer.Chromium, Werift = "werift", Libdatachannel = ForeignPeer.Libdatachannel;

    // One foreign peer process per implementation for the whole fixture; each call resets it.
    private readonly Dictionary<string, ForeignPeer> _peers = [];

    [OneTimeTearDown]
    public async Task StopForeignPeers()
    {
        foreach (var peer in _peers.Values)
        {
            await peer.DisposeAsync();
        }
    }

    private async Task<ForeignPeer> PeerAsync(string implementation)
    {
        if (!_peers.TryGetValue(implementation, out var peer))
        {
            peer = await ForeignPeer.StartAsync(implementation);
            _peers[implementation] = peer;
            await TestContext.Progress.WriteLineAsync($"{implementation} {peer.Version}");
        }

        return peer;
    }

    /// <summary>Creates the channel on the offering side and returns ours once both ends are open.</summary>
    internal static async Task<RTCDataChannel> OpenChannelAsync(InteropCall call, Offerer offerer, string label, JsonObject? foreignOptions = null, RTCDataChannelInit? ourOptions = null)
    {
        RTCDataChannel ours;
        if (offerer == Offerer.DotNetOffers)
        {
            ours = call.Pc.CreateDataChannel(label, ourOptions);
            await call.NegotiateAsync(offerer);
        }
        else
        {
            await call.CreateForeignChannelAsync(label, foreignOptions);
            await call.NegotiateAsync(offerer);
            ours = await call.NextRemoteChannelAsync();
            Assert.That(ours.Label, Is.EqualTo(label));
        }

        await call.ForeignOpenAsync(label);
        await call.Until(() => ours.ReadyState == RTCDataChannelState.Open, $"our channel '{label}' open");
        return ours;
    }

    // A round trip each way, checked on arrival at every hop: we send, the foreign peer receives and
    // sends the same message back; then the foreign peer sends and we send it back.
    internal static async Task EchoBothWaysAsync(InteropCall call, Inbox inbox, bool binary, int size, int seed = 0)
    {
        string label = inbox.DataChannel.Label;
        byte[] bytes = binary ? Payloads.Binary(size, seed) : Encoding.UTF8.GetBytes(Payloads.Text(size, seed));
        string? text = binary ? null : Payloads.Text(size, seed);
        string foreignName = call.Foreign.Implementation;

        int mark = call.Foreign.EventCount;
        Send(inbox.DataChannel, binary, bytes, text);
        var arrived = await call.Foreign.WaitForEventAsync("message", e => (string?)e["label"] == label, mark);
        Assert.That((bool)arrived["binary"]!, Is.EqualTo(binary), $"{foreignName} got the message type we sent");
        Assert.That(Payloads.DataOf(arrived), Is.EqualTo(bytes), $"{size}-byte message arrived intact at {foreignName}");
        await call.Foreign.CallAsync("send", Payloads.SendCommand(label, binary, bytes, text));
        AssertSame(await inbox.NextAsync(call), binary, bytes, $"{size}-byte message sent back by {foreignName}");

        mark = call.Foreign.EventCount;
        await call.Foreign.CallAsync("send", Payloads.SendCommand(label, binary, bytes, text));
        AssertSame(await inbox.NextAsync(call), binary, bytes, $"{size}-byte message from {foreignName}");
        Send(inbox.DataChannel, binary, bytes, text);
        var back = await call.Foreign.WaitForEventAsync("message", e => (string?)e["label"] == label, mark);
        Assert.That((bool)back["binary"]!, Is.EqualTo(binary));
        Assert.That(Payloads.DataOf(back), Is.EqualTo(bytes), $"{size}-byte message sent back by us arrived intact at {foreignName}");
    }

    private static void Send(RTCDataChannel channel, bool binary, byte[] bytes, string? text)
    {
        if (binary)
        {
            channel.Send(bytes);
        }
        else
        {
            channel.Send(text!);
        }
    }

    private static void AssertSame(ReceivedMessage message, bool binary, byte[] bytes, string what)
    {
        Assert.That(message.IsBinary, Is.EqualTo(binary), what + ": type");
        Assert.That(message.Data, Is.EqualTo(bytes), what + ": content");
        if (!binary)
        {
            Assert.That(message.Text, Is.EqualTo(Encoding.UTF8.GetString(bytes)), what + ": text");
        }
    }

    [Test]
    public async Task Messages_EchoIntact(
        [ValueSource(typeof(ForeignPeer), nameof(ForeignPeer.Implementations))] string implementation,
        [Values] Offerer offerer,
        [Values(1, 16 * 1024, 64 * 1024, 256 * 1024)] int size,
        [Values] bool binary)
    {
        await using var call = await InteropCall.StartAsync(await PeerAsync(implementation));
        var channel = await OpenChannelAsync(call, offerer, "echo");
        var inbox = new Inbox(channel);
        await EchoBothWaysAsync(call, inbox, binary, size);
    }

    public enum ChannelKind
    {
        Ordered,
        Unordered,
        MaxRetransmits0,
    }

    public enum Side
    {
        DotNet,
        Foreign,
    }

    [Test]
    public async Task ChannelKinds_PropertiesReachTheOtherSide_AndEveryMessageArrives([ValueSource(typeof(ForeignPeer), nameof(ForeignPeer.Implementations))] string implementation, [Values] Offerer offerer, [Values] ChannelKind kind)
    {
        const int Count = 100;
        await using var call = await InteropCall.StartAsync(await PeerAsync(implementation));
        var (foreignOptions, ourOptions) = kind switch
        {
            ChannelKind.Ordered => (new JsonObject { ["ordered"] = true }, new RTCDataChannelInit { Ordered = true }),
            ChannelKind.Unordered => (new JsonObject { ["ordered"] = false }, new RTCDataChannelInit { Ordered = false }),
            _ => (new JsonObject { ["maxRetransmits"] = 0 }, new RTCDataChannelInit { MaxRetransmits = 0 }),
        };
        var channel = await OpenChannelAsync(call, offerer, "kind", foreignOptions, ourOptions);

        bool ordered = kind != ChannelKind.Unordered;
        ushort? maxRetransmits = kind == ChannelKind.MaxRetransmits0 ? (ushort)0 : null;
        Assert.That(channel.Ordered, Is.EqualTo(ordered), "our view of ordered");
        Assert.That(channel.MaxRetransmits, Is.EqualTo(maxRetransmits), "our view of maxRetransmits");
        // node-datachannel does not expose how libdatachannel read our DCEP OPEN (its driver reports
        // null, node/README.md): only Chromium's and werift's view can be checked.
        if (offerer == Offerer.DotNetOffers && implementation != Libdatachannel)
        {
            var announced = await call.Foreign.WaitForEventAsync("datachannel", e => (string?)e["label"] == "kind", call.Mark);
            Assert.That((bool)announced["ordered"]!, Is.EqualTo(ordered), "the foreign view of ordered");
            Assert.That((int?)announced["maxRetransmits"], Is.EqualTo((int?)maxRetransmits), "the foreign view of maxRetransmits");
        }

        // On loopback nothing is lost, so even the unreliable kinds deliver everything.
        int mark = call.Foreign.EventCount;
        var inbox = new Inbox(channel);
        for (int i = 0; i < Count; i++)
        {
            channel.Send(Payloads.Text(1000 - 4, i) + $"#{i:000}");
        }

        await call.Foreign.CallAsync("send", new JsonObject { ["label"] = "kind", ["data"] = "from foreign #", ["count"] = Count, ["numbered"] = true });
        var mine = new List<string>();
        for (int i = 0; i < Count; i++)
        {
            mine.Add((await inbox.NextAsync()).Text!);
        }

        await call.Until(() => call.Foreign.Events("message", mark).Count >= Count, $"{Count} messages at {implementation}");
        var theirs = call.Foreign.Events("message", mark).Select(e => (string)e["data"]!).ToList();

        var expectedMine = Enumerable.Range(0, Count).Select(i => "from foreign #" + i).ToList();
        var expectedTheirs = Enumerable.Range(0, Count).Select(i => Payloads.Text(1000 - 4, i) + $"#{i:000}").ToList();
        if (ordered)
        {
            Assert.That(mine, Is.EqualTo(expectedMine), "in order at our side");
            Assert.That(theirs, Is.EqualTo(expectedTheirs), $"in order at {implementation}");
        }
        else
        {
            Assert.That(mine, Is.EquivalentTo(expectedMine), "all arrived at our side");
            Assert.That(theirs, Is.EquivalentTo(expectedTheirs), $"all arrived at {implementation}");
        }
    }

    [Test]
    public async Task NegotiatedChannel_Id7_OpensOnBothSidesWithoutAnnouncement([ValueSource(typeof(ForeignPeer), nameof(ForeignPeer.Implementations))] string implementation, [Values] Offerer offerer)
    {
        await using var call = await InteropCall.StartAsync(await PeerAsync(implementation));
        var channel = call.Pc.CreateDataChannel("negotiated", new RTCDataChannelInit { Negotiated = true, Id = 7 });
        var props = await call.CreateForeignChannelAsync("negotiated", new JsonObject { ["negotiated"] = true, ["id"] = 7 });
        Assert.That((int?)props["id"], Is.EqualTo(7));
        await call.NegotiateAsync(offerer);
        await call.ForeignOpenAsync("negotiated");
        await call.Until(() => channel.ReadyState == RTCDataChannelState.Open, "our negotiated channel open");
        Assert.That(channel.Id, Is.EqualTo((ushort)7));
        Assert.That(channel.Negotiated, Is.True);

        await EchoBothWaysAsync(call, new Inbox(channel), binary: false, size: 100);
        await EchoBothWaysAsync(call, new Inbox(channel), binary: true, size: 100);
        Assert.That(call.Foreign.Events("datachannel", call.Mark), Is.Empty, $"{implementation} was not told of a channel (no DCEP)");
        Assert.That(call.RemoteChannels.Reader.TryRead(out _), Is.False, "we were not told of a channel (no DCEP)");
    }

    [Test]
    public async Task SixtyFourChannels_AllOpen_AndCarryTheirOwnMessages([ValueSource(typeof(ForeignPeer), nameof(ForeignPeer.Implementations))] string implementation, [Values] Offerer offerer)
    {
        const int Count = 64;
        var labels = Enumerable.Range(0, Count).Select(i => $"ch{i:00}").ToList();
        await using var call = await InteropCall.StartAsync(await PeerAsync(implementation));
        var ours = new Dictionary<string, RTCDataChannel>();
        if (offerer == Offerer.DotNetOffers)
        {
            foreach (string label in labels)
            {
                ours[label] = call.Pc.CreateDataChannel(label);
            }

            await call.NegotiateAsync(offerer);
        }
        else
        {
            foreach (string label in labels)
            {
                await call.CreateForeignChannelAsync(label);
            }

            await call.NegotiateAsync(offerer);
            for (int i = 0; i < Count; i++)
            {
                var channel = await call.NextRemoteChannelAsync();
                ours[channel.Label] = channel;
            }
        }

        Assert.That(ours.Keys, Is.EquivalentTo(labels));
        await call.Until(() => call.Foreign.Events("open", call.Mark).Count == Count, $"{Count} channels open at {implementation}");
        await call.Until(() => ours.Values.All(c => c.ReadyState == RTCDataChannelState.Open), $"{Count} channels open at our side");
        Assert.That(ours.Values.Select(c => c.Id).Distinct().Count(), Is.EqualTo(Count), "distinct stream ids");

        int mark = call.Foreign.EventCount;
        var inboxes = ours.ToDictionary(p => p.Key, p => new Inbox(p.Value));
        foreach (var (label, channel) in ours)
        {
            channel.Send("to " + label);
            await call.Foreign.CallAsync("send", new JsonObject { ["label"] = label, ["data"] = "from " + label });
        }

        foreach (var (label, inbox) in inboxes)
        {
            Assert.That((await inbox.NextAsync()).Text, Is.EqualTo("from " + label));
        }

        await call.Until(() => call.Foreign.Events("message", mark).Count == Count, $"{Count} messages at {implementation}");
        Assert.That(call.Foreign.Events("message", mark).Select(e => ((string?)e["label"], (string?)e["data"])),
            Is.EquivalentTo(labels.Select(l => ((string?)l, (string?)("to " + l)))));
    }

    [Test]
    public async Task ChannelClose_ReachesTheOtherSide_AndTheRestCarryOn([ValueSource(typeof(ForeignPeer), nameof(ForeignPeer.Implementations))] string implementation, [Values] Offerer offerer, [Values] Side closer)
    {
        await using var call = await InteropCall.StartAsync(await PeerAsync(implementation));
        var closing = await OpenChannelAsync(call, offerer, "closing");
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        closing.Close += (_, _) => closed.TrySetResult();
        int ourErrors = 0;
        closing.Error += (_, _) => Interlocked.Increment(ref ourErrors);

        // The other channel comes from the answering side, after the connection is up.
        RTCDataChannel staying;
        if (offerer == Offerer.DotNetOffers)
        {
            await call.CreateForeignChannelAsync("staying");
            staying = await call.NextRemoteChannelAsync();
        }
        else
        {
            staying = call.Pc.CreateDataChannel("staying");
        }

        await call.ForeignOpenAsync("staying");
        await call.Until(() => staying.ReadyState == RTCDataChannelState.Open, "our channel 'staying' open");

        int mark = call.Foreign.EventCount;
        if (closer == Side.DotNet)
        {
            await closing.CloseAsync();
        }
        else
        {
            await call.Foreign.CallAsync("close", new JsonObject { ["label"] = "closing" });
        }

        await closed.Task.WaitAsync(ForeignPeer.DefaultTimeout);
        Assert.That(closing.ReadyState, Is.EqualTo(RTCDataChannelState.Closed));
        await call.Foreign.WaitForEventAsync("close", e => (string?)e["label"] == "closing", mark);
        var state = await call.Foreign.CallAsync("state");
        Assert.That(state["channels"]!.AsArray().Where(c => (string?)c!["label"] == "closing").Select(c => (string?)c!["readyState"]), Is.All.EqualTo("closed"));

        await EchoBothWaysAsync(call, new Inbox(staying), binary: false, size: 1000);
        Assert.That(call.Pc.ConnectionState, Is.EqualTo(RTCPeerConnectionState.Connected));
        Assert.That(call.Foreign.Events("close", mark).Select(e => (string?)e["label"]), Has.No.Member("staying"));
        Assert.That(call.Foreign.Events("error", mark).Where(e => e["label"] is not null), Is.Empty, "a channel close (stream reset) is no error");
        Assert.That(ourErrors, Is.Zero, "a channel close (stream reset) is no error");
    }

    [Test]
    public async Task PeerConnectionClose_IsSeenByTheOtherSide([ValueSource(typeof(ForeignPeer), nameof(ForeignPeer.Implementations))] string implementation, [Values] Offerer offerer, [Values] Side closer)
    {
        await using var call = await InteropCall.StartAsync(await PeerAsync(implementation));
        var channel = await OpenChannelAsync(call, offerer, "doomed");
        await call.WaitConnectedAsync();
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new List<string>();
        channel.Error += (_, e) =>
        {
            lock (errors)
            {
                errors.Add(e.Error.Message);
            }
        };
        channel.Close += (_, _) => closed.TrySetResult();
        int mark = call.Foreign.EventCount;

        // Both stacks close a peer connection with an SCTP ABORT ("User-Initiated Abort"), so the
        // other side's channels see an error, then close: what Chromium does to Chromium.
        if (closer == Side.DotNet)
        {
            call.Pc.Close();
            Assert.That(call.Pc.ConnectionState, Is.EqualTo(RTCPeerConnectionState.Closed));
            await call.Foreign.WaitForEventAsync("close", e => (string?)e["label"] == "doomed", mark);
            if (implementation == Chromium)
            {
                var error = call.Foreign.Events("error", mark).Single(e => (string?)e["label"] == "doomed");
                Assert.That((string?)error["message"], Does.Contain("User-Initiated Abort"));
            }
        }
        else
        {
            await call.Foreign.CallAsync("closePc");
            await closed.Task.WaitAsync(ForeignPeer.DefaultTimeout);
            Assert.That(channel.ReadyState, Is.EqualTo(RTCDataChannelState.Closed));
            lock (errors)
            {
                Assert.That(errors, Has.Count.EqualTo(1).And.Some.Contains("aborted by the peer"), "an error before the close, as a browser reports it");
            }

            // The SCTP association is gone. The connection state follows ICE consent as W3C says
            // ("connected" counts closed DTLS transports), so it leaves Connected only when consent
            // runs out, seconds later: not waited for here.
            await call.Until(() => call.Pc.Sctp?.State == RTCSctpTransportState.Closed, "our SCTP transport closed");
        }
    }

    [Test]
    public async Task Trickle_OnAndOff([ValueSource(typeof(ForeignPeer), nameof(ForeignPeer.Implementations))] string implementation, [Values] Offerer offerer, [Values] bool trickle)
    {
        await using var call = await InteropCall.StartAsync(await PeerAsync(implementation), trickle);
        var channel = await OpenChannelAsync(call, offerer, "trickle");
        await call.WaitConnectedAsync();
        if (!trickle)
        {
            Assert.That(call.OfferSdp, Does.Contain("a=candidate:"), "without trickle the offer carries the candidates");
            Assert.That(call.AnswerSdp, Does.Contain("a=candidate:"), "without trickle the answer carries the candidates");
            Assert.That(call.Foreign.Events("icecandidate", call.Mark), Is.Empty, $"{implementation} trickled nothing");
        }
        else
        {
            Assert.That(call.Foreign.Events("icecandidate", call.Mark), Is.Not.Empty, $"{implementation} trickled its candidates");
        }

        await EchoBothWaysAsync(call, new Inbox(channel), binary: true, size: 1200);
    }

    [Test]
    public async Task GetStats_ForeignMessageCountersMatchOurs([ValueSource(typeof(ForeignPeer), nameof(ForeignPeer.Implementations))] string implementation, [Values] Offerer offerer)
    {
        await using var call = await InteropCall.StartAsync(await PeerAsync(implementation));
        var first = await OpenChannelAsync(call, offerer, "stats-1");
        RTCDataChannel second;
        if (offerer == Offerer.DotNetOffers)
        {
            second = call.Pc.CreateDataChannel("stats-2");
        }
        else
        {
            await call.CreateForeignChannelAsync("stats-2");
            second = await call.NextRemoteChannelAsync();
        }

        await call.ForeignOpenAsync("stats-2");
        await call.Until(() => second.ReadyState == RTCDataChannelState.Open, "our channel 'stats-2' open");

        // Different counts and sizes each way and per channel, so a swapped counter shows.
        var plan = new[] { (Channel: first, Ours: 25, OurSize: 100, Theirs: 17, TheirSize: 300), (Channel: second, Ours: 6, OurSize: 5000, Theirs: 11, TheirSize: 7) };
        foreach (var (channel, ours, ourSize, theirs, theirSize) in plan)
        {
            for (int i = 0; i < ours; i++)
            {
                channel.Send(new byte[ourSize]);
            }

            await call.Foreign.CallAsync("send", new JsonObject { ["label"] = channel.Label, ["data"] = new string('t', theirSize), ["count"] = theirs });
        }

        foreach (var (channel, ours, _, theirs, _) in plan)
        {
            await call.Until(() => channel.MessagesReceived == theirs, $"{theirs} messages on our '{channel.Label}'");
            await call.Until(() => call.Foreign.Events("message", call.Mark).Count(e => (string?)e["label"] == channel.Label) == ours, $"{ours} messages at {implementation} on '{channel.Label}'");
        }

        var foreignStats = (await call.Foreign.CallAsync("getStats"))["dataChannels"]!.AsArray();
        var ourStats = (await call.Pc.GetStatsAsync()).OfType<RTCDataChannelStats>().ToDictionary(s => s.Label);
        foreach (var (channel, ours, ourSize, theirs, theirSize) in plan)
        {
            var theirView = foreignStats.Single(s => (string?)s!["label"] == channel.Label)!;
            Assert.Multiple(() =>
            {
                Assert.That((long?)theirView["messagesReceived"], Is.EqualTo(channel.MessagesSent).And.EqualTo(ours), $"{channel.Label}: their messagesReceived");
                Assert.That((long?)theirView["messagesSent"], Is.EqualTo(channel.MessagesReceived).And.EqualTo(theirs), $"{channel.Label}: their messagesSent");
                Assert.That((long?)theirView["bytesReceived"], Is.EqualTo(channel.BytesSent).And.EqualTo((long)ours * ourSize), $"{channel.Label}: their bytesReceived");
                Assert.That((long?)theirView["bytesSent"], Is.EqualTo(channel.BytesReceived).And.EqualTo((long)theirs * theirSize), $"{channel.Label}: their bytesSent");
                Assert.That((int?)theirView["dataChannelIdentifier"], Is.EqualTo((int?)channel.Id), $"{channel.Label}: stream id");
                var mine = ourStats[channel.Label];
                Assert.That((mine.MessagesSent, mine.MessagesReceived, mine.BytesSent, mine.BytesReceived),
                    Is.EqualTo((channel.MessagesSent, channel.MessagesReceived, channel.BytesSent, channel.BytesReceived)), $"{channel.Label}: our getStats");
            });
        }
    }

    // Real loss in the kernel (nftables in the test namespace; this kernel has no sch_netem): 10% of
    // the datagrams to and from our ports, dropped on arrival. Against the browsers and libdatachannel
    // (5 of 5 runs either way) from before the offer, so ICE, DTLS and SCTP all retransmit against the
    // other stack's own recovery. werift's DTLS does not survive loss
    // in its handshake in either role: as client it answers a retransmitted flight 4 with a new
    // flight 5, even once connected, and then fails to decrypt (3 of 8 runs with .NET offering); as
    // server, after a lost ServerHello and our retransmitted ClientHello, it never answers our
    // complete, repeated flight 5 and resends its flight 4 until the timeout (traced on both sides,
    // 1 of 2 to 1 of 8 runs). So against werift the loss starts once the channel is open.
    [Test]
    public async Task LossyLink_TenPercentEachWay_ReliableDeliveryStaysIntactAndInOrder([ValueSource(typeof(ForeignPeer), nameof(ForeignPeer.Implementations))] string implementation, [Values] Offerer offerer)
    {
        const int MinPort = 47300, MaxPort = 47399, Count = 200;
        bool lossDuringHandshake = implementation != Werift;
        // The rule goes with the test whatever happens: left behind, it made the next lossy case lossy from the start.
        await using var loss = new LossHolder();
        if (lossDuringHandshake)
        {
            loss.Rule = await IntegrationTests.DataChannels.KernelPacketLoss.StartAsync(MinPort, MaxPort, percent: 10);
        }

        await using var call = await InteropCall.StartAsync(await PeerAsync(implementation), options: new RTCPeerConnectionOptions { MinPort = MinPort, MaxPort = MaxPort });
        var channel = await OpenChannelAsync(call, offerer, "lossy");
        loss.Rule ??= await IntegrationTests.DataChannels.KernelPacketLoss.StartAsync(MinPort, MaxPort, percent: 10);
        var inbox = new Inbox(channel);

        int mark = call.Foreign.EventCount;
        string body = Payloads.Text(2000);
        for (int i = 0; i < Count; i++)
        {
            channel.Send(body + i);
        }

        await call.Foreign.CallAsync("send", new JsonObject { ["label"] = "lossy", ["data"] = body, ["count"] = Count, ["numbered"] = true });
        var mine = new List<string>();
        for (int i = 0; i < Count; i++)
        {
            mine.Add((await inbox.NextAsync(call)).Text!);
        }

        var expected = Enumerable.Range(0, Count).Select(i => body + i).ToList();
        Assert.That(mine, Is.EqualTo(expected), $"{Count} messages from {implementation}, intact and in order");
        await call.Until(() => call.Foreign.Events("message", mark).Count >= Count, $"{Count} messages at {implementation}");
        Assert.That(call.Foreign.Events("message", mark).Select(e => (string?)e["data"]), Is.EqualTo(expected), $"{Count} messages at {implementation}, intact and in order");

        await EchoBothWaysAsync(call, inbox, binary: true, size: 256 * 1024);
        long dropped = await loss.Rule.DroppedAsync();
        await TestContext.Out.WriteLineAsync($"the kernel dropped {dropped} datagrams; our SCTP retransmitted {call.Pc.Sctp?.Statistics.Retransmissions}");
        Assert.That(dropped, Is.GreaterThan(20), "the loss rule must actually have dropped traffic");
    }

    /// <summary>The loss rule of one test, removed when the test ends, also when it fails.</summary>
    private sealed class LossHolder : IAsyncDisposable
    {
        public IntegrationTests.DataChannels.KernelPacketLoss? Rule { get; set; }

        public async ValueTask DisposeAsync()
        {
            if (Rule is { } rule)
            {
                await rule.DisposeAsync();
            }
        }
    }
}
