using System.Net;
using WebRtc.Client.Codecs;
using WebRtc.Client.Codecs.FFmpeg;
using WebRtc.Client.Codecs.Opus;
using WebRtc.Client.Ice;
using WebRtc.Client.Media;

namespace WebRtc.Client.IntegrationTests.Media;

/// <summary>Two RTCPeerConnections in one process on 127.0.0.1 with audio and video: the whole media path, both ways.</summary>
public class MediaCallTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    internal static RTCPeerConnection NewPeer(CodecRegistry? codecs = null) =>
        new(new RTCConfiguration(), new RTCPeerConnectionOptions
        {
            BindAddresses = [IPAddress.Loopback],
            Codecs = codecs ?? CodecRegistry.CreateDefault().AddOpus().AddFFmpegVideo(),
        });

    // Non-trickle offer/answer: each side waits for its candidates and sends the whole description.
    internal static async Task Negotiate(RTCPeerConnection offerer, RTCPeerConnection answerer)
    {
        await offerer.SetLocalDescriptionAsync();
        await Gathered(offerer);
        await answerer.SetRemoteDescriptionAsync(offerer.LocalDescription!);
        await answerer.SetLocalDescriptionAsync();
        await Gathered(answerer);
        await offerer.SetRemoteDescriptionAsync(answerer.LocalDescription!);
    }

    private static async Task Gathered(RTCPeerConnection pc)
    {
        var end = DateTime.UtcNow + Timeout;
        while (pc.IceGatheringState != RTCIceGatheringState.Complete && DateTime.UtcNow < end)
        {
            await Task.Delay(10);
        }
    }

    internal static async Task Until(Func<bool> condition, string what)
    {
        var end = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > end)
            {
                Assert.Fail("Timed out waiting for " + what);
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Counts what a remote track delivers.</summary>
    internal sealed class TrackProbe
    {
        public int Frames;
        public int Width;
        public int Height;
        public double MaxLevel;
        public MediaStreamTrack? Track;
        public IReadOnlyList<MediaStream> Streams = [];

        public void Attach(RTCTrackEventArgs e)
        {
            Track = e.Track;
            Streams = e.Streams;
            e.Track.VideoFrameReceived += (_, f) =>
            {
                Width = f.Width;
                Height = f.Height;
                Interlocked.Increment(ref Frames);
            };
            e.Track.AudioFrameReceived += (_, f) =>
            {
                double sum = 0;
                foreach (var s in f.Samples)
                {
                    sum += (double)s * s;
                }

                MaxLevel = Math.Max(MaxLevel, Math.Sqrt(sum / f.Samples.Length) / 32768);
                Interlocked.Increment(ref Frames);
            };
        }
    }

    [Test]
    public async Task AudioAndVideo_BothWays_DecodeAtTheSentSize()
    {
        await using var alice = NewPeer();
        await using var bob = NewPeer();
        var aliceStream = new MediaStream();
        alice.AddTrack(VideoSource.TestPattern(320, 240, 30).CreateTrack(), aliceStream);
        alice.AddTrack(AudioSource.Sine(440).CreateTrack(), aliceStream);
        bob.AddTrack(VideoSource.TestPattern(176, 144, 15).CreateTrack());
        bob.AddTrack(AudioSource.Sine(880, 0.3, 8000).CreateTrack());
        var atBob = new Dictionary<MediaKind, TrackProbe> { [MediaKind.Audio] = new(), [MediaKind.Video] = new() };
        var atAlice = new Dictionary<MediaKind, TrackProbe> { [MediaKind.Audio] = new(), [MediaKind.Video] = new() };
        bob.Track += (_, e) => atBob[e.Track.Kind].Attach(e);
        alice.Track += (_, e) => atAlice[e.Track.Kind].Attach(e);

        await Negotiate(alice, bob);
        Assert.That(alice.LocalDescription!.Sdp, Does.Contain("m=audio").And.Contain("m=video").And.Not.Contain("m=application"));

        await Until(() => atBob[MediaKind.Video].Frames >= 30 && atAlice[MediaKind.Video].Frames >= 15
            && atBob[MediaKind.Audio].Frames >= 50 && atAlice[MediaKind.Audio].Frames >= 50, "frames both ways");
        Assert.That((atBob[MediaKind.Video].Width, atBob[MediaKind.Video].Height), Is.EqualTo((320, 240)));
        Assert.That((atAlice[MediaKind.Video].Width, atAlice[MediaKind.Video].Height), Is.EqualTo((176, 144)));
        Assert.That(atBob[MediaKind.Audio].MaxLevel, Is.GreaterThan(0.1), "Alice's sine at half scale");
        Assert.That(atAlice[MediaKind.Audio].MaxLevel, Is.GreaterThan(0.05), "Bob's sine at 0.3");
        Assert.That(atBob[MediaKind.Video].Streams.Select(s => s.Id), Is.EqualTo(new[] { aliceStream.Id }), "msid carries Alice's stream");
        Assert.That(atBob[MediaKind.Audio].Streams[0].GetTracks(), Has.Count.EqualTo(2), "both of Alice's tracks are in one remote stream");

        // The RTCP reports flow: Alice learns the round trip of her video from Bob's receiver reports.
        await Until(() => alice.GetStatsAsync().Result.OfType<RTCRemoteInboundRtpStreamStats>().Any(s => s.RoundTripTime is not null), "remote-inbound-rtp with an RTT");
        var stats = await bob.GetStatsAsync();
        var inboundVideo = stats.OfType<RTCInboundRtpStreamStats>().Single(s => s.Kind == "video");
        Assert.That(inboundVideo.FramesDecoded, Is.GreaterThanOrEqualTo(30));
        Assert.That(inboundVideo.KeyFramesDecoded, Is.GreaterThanOrEqualTo(1));
        Assert.That((inboundVideo.FrameWidth, inboundVideo.FrameHeight), Is.EqualTo((320, 240)));
        Assert.That(stats[inboundVideo.CodecId!], Is.TypeOf<RTCCodecStats>().And.Property("MimeType").EqualTo("video/VP8"));
        var inboundAudio = stats.OfType<RTCInboundRtpStreamStats>().Single(s => s.Kind == "audio");
        Assert.That(inboundAudio.TotalAudioEnergy, Is.GreaterThan(0));
        Assert.That(((RTCCodecStats)stats[inboundAudio.CodecId!]).MimeType, Is.EqualTo("audio/opus"));
        var outbound = (await alice.GetStatsAsync()).OfType<RTCOutboundRtpStreamStats>().Single(s => s.Kind == "video");
        Assert.That(outbound.FramesEncoded, Is.GreaterThanOrEqualTo(30));
        Assert.That(outbound.PacketsSent, Is.GreaterThan(0));

        // RFC 3550 §6.6: closing says BYE for Alice's sources, and Bob's tracks go muted.
        Assert.That(atBob[MediaKind.Video].Track!.Muted, Is.False);
        alice.Close();
        await Until(() => atBob[MediaKind.Video].Track!.Muted && atBob[MediaKind.Audio].Track!.Muted, "BYE mutes Bob's remote tracks");
    }

    [Test]
    public async Task Renegotiation_AddsVideoMidCall_AndAStoppedTransceiverEndsTheRemoteTrack()
    {
        await using var alice = NewPeer();
        await using var bob = NewPeer();
        var audio = new TrackProbe();
        var video = new TrackProbe();
        bob.Track += (_, e) => (e.Track.Kind == MediaKind.Audio ? audio : video).Attach(e);
        alice.AddTrack(AudioSource.Sine(440).CreateTrack());
        await Negotiate(alice, bob);
        await Until(() => audio.Frames >= 25, "audio before video is added");

        var sender = alice.AddTrack(VideoSource.TestPattern(160, 120, 30).CreateTrack());
        await Negotiate(alice, bob);
        await Until(() => video.Frames >= 10, "video after renegotiation");
        Assert.That((video.Width, video.Height), Is.EqualTo((160, 120)));

        // ReplaceTrack: no renegotiation, the remote decodes the new size.
        var replacement = VideoSource.TestPattern(240, 160, 30);
        sender.ReplaceTrack(replacement.CreateTrack());
        await Until(() => video.Width == 240, "frames of the replaced track");
        Assert.That(alice.SignalingState, Is.EqualTo(RTCSignalingState.Stable));

        // SetParameters: scaleResolutionDownBy 2 halves the size the remote decodes, still without renegotiation.
        var parameters = sender.GetParameters();
        parameters.Encodings[0].ScaleResolutionDownBy = 2;
        parameters.Encodings[0].MaxBitrate = 200_000;
        await sender.SetParametersAsync(parameters);
        await Until(() => (video.Width, video.Height) == (120, 80), "frames at half size");
        Assert.That(() => sender.SetParametersAsync(parameters), Throws.TypeOf<InvalidModificationException>(), "a stale transaction id is refused");

        // maxFramerate 10 on a 30 fps source: about one frame in three is encoded (counted against the source's frames, not the clock).
        parameters = sender.GetParameters();
        parameters.Encodings[0].MaxFramerate = 10;
        await sender.SetParametersAsync(parameters);
        long Encoded() => alice.GetStatsAsync().Result.OfType<RTCOutboundRtpStreamStats>().Single(s => s.Kind == "video").FramesEncoded;
        long sourceBefore = replacement.FrameCount, encodedBefore = Encoded();
        await Until(() => replacement.FrameCount - sourceBefore >= 30, "30 source frames");
        long encoded = Encoded() - encodedBefore, produced = replacement.FrameCount - sourceBefore;
        Assert.That(encoded, Is.InRange(produced / 3 - 2, produced / 3 + 2), $"{encoded} of {produced} frames encoded under maxFramerate 10");

        var ended = new TaskCompletionSource();
        video.Track!.Ended += (_, _) => ended.TrySetResult();
        var transceiver = alice.GetTransceivers().Single(t => t.Sender == sender);
        transceiver.Stop();
        await Negotiate(alice, bob);
        Assert.That(transceiver.IsStopped, Is.True);
        Assert.That(alice.LocalDescription!.Sdp, Does.Match(@"m=video 0 "), "the stopped transceiver's m-line is rejected");
        await ended.Task.WaitAsync(Timeout);
        Assert.That(bob.GetTransceivers().Single(t => t.Kind == MediaKind.Video).IsStopped, Is.True);
        int before = audio.Frames;
        await Until(() => audio.Frames > before + 10, "audio keeps flowing after the video m-line is gone");
    }

    [TestCase("PCMU")]
    [TestCase("PCMA")]
    [TestCase("G722")]
    public async Task ManagedAudioCodecs_CarryTheSine(string codec)
    {
        var registry = CodecRegistry.CreateDefault();
        foreach (var other in new[] { "PCMU", "PCMA", "G722" }.Where(c => c != codec))
        {
            registry.Remove(other);
        }

        await using var alice = NewPeer(registry);
        await using var bob = NewPeer(registry);
        var probe = new TrackProbe();
        bob.Track += (_, e) => probe.Attach(e);
        alice.AddTrack(AudioSource.Sine(440, 0.5).CreateTrack());
        await Negotiate(alice, bob);
        await Until(() => probe.Frames >= 25, codec + " frames");
        Assert.That(probe.MaxLevel, Is.GreaterThan(0.1));
        Assert.That(bob.GetTransceivers().Single().Receiver.GetParameters().Codecs[0].MimeType, Is.EqualTo("audio/" + codec));
    }

    [Test]
    public async Task DataChannelAndMedia_ShareOneBundle()
    {
        await using var alice = NewPeer();
        await using var bob = NewPeer();
        var video = new TrackProbe();
        bob.Track += (_, e) => video.Attach(e);
        alice.AddTrack(VideoSource.TestPattern(160, 120, 30).CreateTrack());
        var chat = alice.CreateDataChannel("chat");
        var remote = new TaskCompletionSource<WebRtc.Client.DataChannels.RTCDataChannel>();
        bob.DataChannel += (_, e) => remote.TrySetResult(e.Channel);
        await Negotiate(alice, bob);
        Assert.That(alice.LocalDescription!.Sdp, Does.Contain("a=group:BUNDLE 0 1"));
        var channel = await remote.Task.WaitAsync(Timeout);
        await Until(() => chat.ReadyState == WebRtc.Client.DataChannels.RTCDataChannelState.Open, "the channel opens");
        var got = new TaskCompletionSource<string>();
        channel.MessageReceived += (_, e) => got.TrySetResult(e.Text!);
        chat.Send("hi");
        Assert.That(await got.Task.WaitAsync(Timeout), Is.EqualTo("hi"));
        await Until(() => video.Frames >= 10, "video beside the data channel");
    }
}

/// <summary>A forwarder: Bob receives Alice's encoded frames and sends them on to Carol without decoding or re-encoding.</summary>
public class MediaForwardingTests
{
    [Test]
    public async Task EncodedFrames_AreForwardedWithoutReencoding_AndALateReceiversKeyFrameRequestReachesTheOrigin()
    {
        await using var alice = MediaCallTests.NewPeer();
        await using var bob = MediaCallTests.NewPeer();
        await using var bobOut = MediaCallTests.NewPeer();
        await using var carol = MediaCallTests.NewPeer();
        var video = new EncodedVideoSource("VP8");
        var audio = new EncodedAudioSource("opus");
        RTCRtpReceiver? bobVideoReceiver = null;
        int forwarded = 0;
        bob.Track += (_, e) =>
        {
            if (e.Track.Kind == MediaKind.Video)
            {
                bobVideoReceiver = e.Receiver;
                e.Receiver.EncodedFrameReceived += (RTCRtpReceiver _, in EncodedFrame f) =>
                {
                    Interlocked.Increment(ref forwarded);
                    video.Push(f.Data, TimeSpan.FromTicks(f.RtpTimestamp * TimeSpan.TicksPerSecond / f.ClockRate), f.IsKeyFrame);
                };
            }
            else
            {
                e.Receiver.EncodedFrameReceived += (RTCRtpReceiver _, in EncodedFrame f) => audio.Push(f.Data, TimeSpan.FromTicks(f.RtpTimestamp * TimeSpan.TicksPerSecond / f.ClockRate));
            }
        };
        // Carol's keyframe requests reach Alice through Bob (what an SFU does).
        int keyFrameRequests = 0;
        video.KeyFrameRequested += (_, _) =>
        {
            Interlocked.Increment(ref keyFrameRequests);
            bobVideoReceiver?.RequestKeyFrame();
        };

        alice.AddTrack(VideoSource.TestPattern(320, 240, 30).CreateTrack());
        alice.AddTrack(AudioSource.Sine(440).CreateTrack());
        await MediaCallTests.Negotiate(alice, bob);
        await MediaCallTests.Until(() => forwarded >= 30, "Bob's encoded frames from Alice");
        Assert.That(bob.GetReceivers().All(r => r.Track.Muted == false), Is.True);

        // Carol joins a second later: the first frames she gets are delta frames, so she asks for a keyframe.
        var carolVideo = new MediaCallTests.TrackProbe();
        var carolAudio = new MediaCallTests.TrackProbe();
        carol.Track += (_, e) => (e.Track.Kind == MediaKind.Video ? carolVideo : carolAudio).Attach(e);
        bobOut.AddTrack(video.CreateTrack());
        bobOut.AddTrack(audio.CreateTrack());
        await MediaCallTests.Negotiate(bobOut, carol);
        try
        {
            await MediaCallTests.Until(() => carolVideo.Frames >= 30 && carolAudio.Frames >= 25, "Carol decodes the forwarded frames");
        }
        finally
        {
            foreach (var pc in new[] { alice, bob, bobOut, carol })
            {
                foreach (var st in (await pc.GetStatsAsync()).Values.OfType<RTCRtpStreamStats>())
                {
                    TestContext.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize((object)st));
                }
            }

            TestContext.Out.WriteLine($"carol video {carolVideo.Frames} audio {carolAudio.Frames} kfr {keyFrameRequests}");
        }
        Assert.That((carolVideo.Width, carolVideo.Height), Is.EqualTo((320, 240)));
        Assert.That(carolAudio.MaxLevel, Is.GreaterThan(0.1));
        Assert.That(keyFrameRequests, Is.GreaterThanOrEqualTo(1), "Carol's PLI reached Bob's encoded source");
        var aliceOut = (await alice.GetStatsAsync()).OfType<RTCOutboundRtpStreamStats>().Single(s => s.Kind == "video");
        Assert.That(aliceOut.PliCount, Is.GreaterThanOrEqualTo(1), "and Alice got Bob's PLI");
        Assert.That(aliceOut.KeyFramesEncoded, Is.GreaterThanOrEqualTo(2), "Alice answered it with a keyframe");
        var bobSent = (await bobOut.GetStatsAsync()).OfType<RTCOutboundRtpStreamStats>().Single(s => s.Kind == "video");
        Assert.That(bobSent.TotalEncodeTime, Is.Zero, "Bob forwarded without encoding");
    }
}

/// <summary>Video under real kernel packet loss (nftables in the test's namespace): NACK and RTX repair it (RFC 4585, RFC 4588).</summary>
public class MediaLossTests
{
    [Test]
    public async Task FivePercentLoss_NackAndRtxRecoverTheVideo()
    {
        const int minPort = 47300, maxPort = 47399;
        await using var loss = await WebRtc.Client.IntegrationTests.DataChannels.KernelPacketLoss.StartAsync(minPort, maxPort, percent: 5);
        await using var alice = new RTCPeerConnection(new RTCConfiguration(), new RTCPeerConnectionOptions
        {
            BindAddresses = [System.Net.IPAddress.Loopback],
            MinPort = minPort,
            MaxPort = maxPort,
            Codecs = CodecRegistry.CreateDefault().AddOpus().AddFFmpegVideo(),
        });
        await using var bob = MediaCallTests.NewPeer();
        var video = new MediaCallTests.TrackProbe();
        bob.Track += (_, e) => video.Attach(e);
        alice.AddTrack(VideoSource.TestPattern(640, 480, 30).CreateTrack());
        await MediaCallTests.Negotiate(alice, bob);
        await MediaCallTests.Until(() => video.Frames >= 150, "150 decoded frames under loss");

        var sent = (await alice.GetStatsAsync()).OfType<RTCOutboundRtpStreamStats>().Single();
        var got = (await bob.GetStatsAsync()).OfType<RTCInboundRtpStreamStats>().Single();
        TestContext.Out.WriteLine($"encoded {sent.FramesEncoded}, decoded {got.FramesDecoded}, dropped {got.FramesDropped}, nack packets {got.NackCount}, " +
            $"rtx received {got.RetransmittedPacketsReceived}, rtx sent {sent.RetransmittedPacketsSent}, PLI {got.PliCount}, kernel drops {await loss.DroppedAsync()}");
        Assert.That(await loss.DroppedAsync(), Is.GreaterThan(0), "the loss rule dropped packets");
        Assert.That(got.NackCount, Is.GreaterThan(0), "Bob NACKed the holes");
        Assert.That(sent.RetransmittedPacketsSent, Is.GreaterThan(0), "Alice answered with RTX");
        Assert.That(got.RetransmittedPacketsReceived, Is.GreaterThan(0), "and the RTX packets repaired the stream");
        // Most frames decode: without repair, 5% packet loss spoils far more than one frame in ten at 640x480.
        Assert.That(got.FramesDecoded, Is.GreaterThanOrEqualTo(sent.FramesEncoded * 9 / 10 - 5), "frames decoded against frames encoded");
    }
}

/// <summary>Each video codec end to end between two .NET peers, chosen with SetCodecPreferences.</summary>
public class MediaCodecTests
{
    [TestCase("video/VP8")]
    [TestCase("video/VP9")]
    [TestCase("video/H264")]
    public async Task CodecPreferences_PickTheCodec_AndItsFramesDecode(string mimeType)
    {
        await using var alice = MediaCallTests.NewPeer();
        await using var bob = MediaCallTests.NewPeer();
        var video = new MediaCallTests.TrackProbe();
        bob.Track += (_, e) => video.Attach(e);
        var transceiver = alice.AddTransceiver(VideoSource.TestPattern(352, 288, 30).CreateTrack(), new RTCRtpTransceiverInit { Direction = RTCRtpTransceiverDirection.SendOnly });
        var capabilities = RTCRtpSender.GetCapabilities(MediaKind.Video, CodecRegistry.CreateDefault().AddFFmpegVideo());
        transceiver.SetCodecPreferences(capabilities.Codecs.Where(c => c.MimeType == mimeType));
        await MediaCallTests.Negotiate(alice, bob);
        Assert.That(transceiver.CurrentDirection, Is.EqualTo(RTCRtpTransceiverDirection.SendOnly));
        Assert.That(bob.GetTransceivers().Single().CurrentDirection, Is.EqualTo(RTCRtpTransceiverDirection.RecvOnly));
        await MediaCallTests.Until(() => video.Frames >= 30, mimeType + " frames");
        Assert.That((video.Width, video.Height), Is.EqualTo((352, 288)));
        var inbound = (await bob.GetStatsAsync()).OfType<RTCInboundRtpStreamStats>().Single();
        var codec = (RTCCodecStats)(await bob.GetStatsAsync())[inbound.CodecId!];
        Assert.That(codec.MimeType, Is.EqualTo(mimeType));
        Assert.That(transceiver.Sender.GetParameters().Codecs.Select(c => c.MimeType).Distinct(), Is.EqualTo(new[] { mimeType }));
    }
}

/// <summary>W3C event order and renegotiation details around media.</summary>
public class MediaNegotiationTests
{
    [Test]
    public async Task NegotiationNeeded_IsQueued_OnceForSeveralAddTracks()
    {
        await using var pc = MediaCallTests.NewPeer();
        int fired = 0;
        int callingThread = Environment.CurrentManagedThreadId, handlerThread = 0;
        pc.NegotiationNeeded += (_, _) =>
        {
            handlerThread = Environment.CurrentManagedThreadId;
            Interlocked.Increment(ref fired);
        };
        pc.AddTrack(AudioSource.Sine(440).CreateTrack());
        pc.AddTrack(VideoSource.TestPattern(160, 120, 15).CreateTrack());
        await MediaCallTests.Until(() => fired > 0, "negotiationneeded");
        await Task.Delay(200);
        Assert.That(fired, Is.EqualTo(1), "two AddTracks, one negotiation");
        Assert.That(handlerThread, Is.Not.EqualTo(callingThread), "raised from a queued task, not inside AddTrack");
    }

    [Test]
    public async Task TrackEvent_ComesAfterTheSignalingStateChanged()
    {
        await using var alice = MediaCallTests.NewPeer();
        await using var bob = MediaCallTests.NewPeer();
        alice.AddTrack(AudioSource.Sine(440).CreateTrack());
        var states = new List<RTCSignalingState>();
        bob.Track += (_, _) => states.Add(bob.SignalingState);
        await alice.SetLocalDescriptionAsync();
        await bob.SetRemoteDescriptionAsync(alice.LocalDescription!);
        Assert.That(states, Is.EqualTo(new[] { RTCSignalingState.HaveRemoteOffer }));
    }

    [Test]
    public async Task ADataChannelAddedByRenegotiation_OpensOverTheRunningCall()
    {
        await using var alice = MediaCallTests.NewPeer();
        await using var bob = MediaCallTests.NewPeer();
        var audio = new MediaCallTests.TrackProbe();
        bob.Track += (_, e) => audio.Attach(e);
        alice.AddTrack(AudioSource.Sine(440).CreateTrack());
        await MediaCallTests.Negotiate(alice, bob);
        await MediaCallTests.Until(() => audio.Frames >= 10 && alice.ConnectionState == RTCPeerConnectionState.Connected, "the audio call");

        var chat = alice.CreateDataChannel("late");
        var remote = new TaskCompletionSource<WebRtc.Client.DataChannels.RTCDataChannel>();
        bob.DataChannel += (_, e) => remote.TrySetResult(e.Channel);
        await MediaCallTests.Negotiate(alice, bob);
        var channel = await remote.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var got = new TaskCompletionSource<string>();
        channel.MessageReceived += (_, e) => got.TrySetResult(e.Text!);
        await MediaCallTests.Until(() => chat.ReadyState == WebRtc.Client.DataChannels.RTCDataChannelState.Open, "the late channel opens");
        chat.Send("late hello");
        Assert.That(await got.Task.WaitAsync(TimeSpan.FromSeconds(20)), Is.EqualTo("late hello"));
    }
}
