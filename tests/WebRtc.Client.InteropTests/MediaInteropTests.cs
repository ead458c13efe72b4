using System.Text.Json.Nodes;
using WebRtc.Client.Codecs;
using WebRtc.Client.Codecs.FFmpeg;
using WebRtc.Client.Codecs.Opus;
using WebRtc.Client.Media;

namespace WebRtc.Client.InteropTests;

/// <summary>
/// Audio and video between our RTCPeerConnection and headless Chromium (its fake camera and
/// microphone, <c>--use-fake-device-for-media-stream</c>): each way, each side offering, each video
/// codec, the managed audio codecs, and NACK/RTX under real kernel packet loss.
/// </summary>
[NonParallelizable]
public sealed class MediaInteropTests
{
    private ForeignPeer? _chromium;

    [OneTimeTearDown]
    public async Task StopChromium()
    {
        if (_chromium is not null)
        {
            await _chromium.DisposeAsync();
        }
    }

    private async Task<ForeignPeer> ChromiumAsync()
    {
        if (_chromium is null)
        {
            _chromium = await ForeignPeer.StartAsync(ForeignPeer.Chromium);
            await TestContext.Progress.WriteLineAsync($"chromium {_chromium.Version}");
        }

        return _chromium;
    }

    /// <summary>Opus, FFmpeg's VP8/VP9/H.264, G.711, G.722; a missing FFmpeg is reported like any missing program.</summary>
    private static CodecRegistry Codecs()
    {
        try
        {
            FFmpegCodecs.Vp8.CreateDecoder().Dispose();
        }
        catch (FFmpegNotFoundException e)
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail(e.Message);
            }

            Assert.Ignore(e.Message);
        }

        return CodecRegistry.CreateDefault().AddOpus().AddFFmpegVideo();
    }

    private static Task<InteropCall> StartCallAsync(ForeignPeer chromium, CodecRegistry codecs, (int Min, int Max)? ports = null)
    {
        var options = new RTCPeerConnectionOptions { Codecs = codecs };
        if (ports is { } range)
        {
            options = options with { MinPort = range.Min, MaxPort = range.Max };
        }

        return InteropCall.StartAsync(chromium, options: options);
    }

    /// <summary>What our remote tracks deliver.</summary>
    private sealed class MediaProbe
    {
        private int _videoFrames;
        private int _audioFrames;
        private double _maxLevel;

        public int VideoFrames => Volatile.Read(ref _videoFrames);

        public int AudioFrames => Volatile.Read(ref _audioFrames);

        public int Width { get; private set; }

        public int Height { get; private set; }

        /// <summary>The highest RMS level of an audio frame, 0..1.</summary>
        public double MaxLevel => Volatile.Read(ref _maxLevel);

        public void Attach(RTCTrackEventArgs e)
        {
            e.Track.VideoFrameReceived += (_, f) =>
            {
                Width = f.Width;
                Height = f.Height;
                Interlocked.Increment(ref _videoFrames);
            };
            e.Track.AudioFrameReceived += (_, f) =>
            {
                double sum = 0;
                foreach (short s in f.Samples)
                {
                    sum += (double)s * s;
                }

                double level = f.Samples.Length == 0 ? 0 : Math.Sqrt(sum / f.Samples.Length) / 32768;
                if (level > _maxLevel)
                {
                    Volatile.Write(ref _maxLevel, level);
                }

                Interlocked.Increment(ref _audioFrames);
            };
        }
    }

    private static async Task<JsonObject> ForeignStatsAsync(InteropCall call) => await call.Foreign.CallAsync("mediaStats");

    /// <summary>The first inbound-rtp (<paramref name="list"/> "inbound") or outbound-rtp ("outbound") of a kind in Chromium's mediaStats.</summary>
    private static JsonObject? Rtp(JsonObject stats, string list, string kind) =>
        stats[list]!.AsArray().OfType<JsonObject>().FirstOrDefault(s => (string?)s["kind"] == kind);

    private static long Long(JsonObject? o, string key) => o?[key] is JsonValue v ? (long)v.GetValue<double>() : 0;

    private static double Double(JsonObject? o, string key) => o?[key] is JsonValue v ? v.GetValue<double>() : 0;

    private static string? Mime(JsonObject? o) => (string?)o?["codec"]?["mimeType"];

    private static string Describe(JsonObject? o) => o?.ToJsonString() ?? "(none)";

    /// <summary>Polls Chromium's stats until <paramref name="condition"/> holds; returns them.</summary>
    private static async Task<JsonObject> UntilForeignStatsAsync(InteropCall call, Func<JsonObject, bool> condition, string what)
    {
        var end = DateTime.UtcNow + ForeignPeer.DefaultTimeout;
        while (true)
        {
            var stats = await ForeignStatsAsync(call);
            if (condition(stats))
            {
                return stats;
            }

            if (DateTime.UtcNow > end)
            {
                Assert.Fail($"timed out waiting for {what}. Chromium's stats: {stats.ToJsonString()}. {call.OurState()}");
            }

            await Task.Delay(200);
        }
    }

    private static async Task<RTCInboundRtpStreamStats?> OurInboundAsync(InteropCall call, string kind) =>
        (await call.Pc.GetStatsAsync()).OfType<RTCInboundRtpStreamStats>().FirstOrDefault(s => s.Kind == kind);

    private static async Task<RTCOutboundRtpStreamStats?> OurOutboundAsync(InteropCall call, string kind) =>
        (await call.Pc.GetStatsAsync()).OfType<RTCOutboundRtpStreamStats>().FirstOrDefault(s => s.Kind == kind);

    /// <summary>Chromium captures its fake camera and microphone and sends both; .NET only receives.</summary>
    private static async Task<JsonObject> ChromiumSendsAsync(InteropCall call, Offerer offerer, bool video = true)
    {
        var captured = await call.Foreign.CallAsync("addUserMedia", new JsonObject { ["audio"] = true, ["video"] = video, ["width"] = 640, ["height"] = 480 });
        if (offerer == Offerer.DotNetOffers)
        {
            call.Pc.AddTransceiver(MediaKind.Audio, new RTCRtpTransceiverInit { Direction = RTCRtpTransceiverDirection.RecvOnly });
            if (video)
            {
                call.Pc.AddTransceiver(MediaKind.Video, new RTCRtpTransceiverInit { Direction = RTCRtpTransceiverDirection.RecvOnly });
            }
        }

        return captured;
    }

    /// <summary>.NET sends the test pattern (640x480, 30 fps) and a sine; Chromium only receives.</summary>
    private static async Task DotNetSendsAsync(InteropCall call, Offerer offerer, bool video = true)
    {
        var stream = new MediaStream();
        if (video)
        {
            call.Pc.AddTrack(VideoSource.TestPattern(640, 480, 30).CreateTrack(), stream);
        }

        call.Pc.AddTrack(AudioSource.Sine(440).CreateTrack(), stream);
        if (offerer == Offerer.ForeignOffers)
        {
            await call.Foreign.CallAsync("addTransceiver", new JsonObject { ["kind"] = "audio", ["direction"] = "recvonly" });
            if (video)
            {
                await call.Foreign.CallAsync("addTransceiver", new JsonObject { ["kind"] = "video", ["direction"] = "recvonly" });
            }
        }
    }

    /// <summary>
    /// Makes <paramref name="mimeType"/> the only codec of its kind (with rtx for video) on the offering side:
    /// Chromium through setCodecPreferences, us through SetCodecPreferences.
    /// </summary>
    private static async Task ForceCodecAsync(InteropCall call, Offerer offerer, CodecRegistry registry, MediaKind kind, string mimeType, string? fmtp = null)
    {
        if (offerer == Offerer.ForeignOffers)
        {
            var args = new JsonObject { ["kind"] = kind == MediaKind.Audio ? "audio" : "video", ["mimeTypes"] = new JsonArray(mimeType) };
            if (fmtp is not null)
            {
                args["sdpFmtpLine"] = fmtp;
            }

            var chosen = await call.Foreign.CallAsync("setCodecPreferences", args);
            await TestContext.Out.WriteLineAsync($"Chromium's preferences: {chosen["codecs"]!.ToJsonString()}");
        }
        else
        {
            var codecs = RTCRtpSender.GetCapabilities(kind, registry).Codecs
                .Where(c => string.Equals(c.MimeType, mimeType, StringComparison.OrdinalIgnoreCase) && (fmtp is null || (c.SdpFmtpLine ?? string.Empty).Contains(fmtp, StringComparison.Ordinal)))
                .ToList();
            Assert.That(codecs, Is.Not.Empty, $"our capabilities have {mimeType}");
            codecs.AddRange(RTCRtpSender.GetCapabilities(kind, registry).Codecs.Where(c => c.MimeType == "video/rtx"));
            foreach (var t in call.Pc.GetTransceivers().Where(t => t.Kind == kind))
            {
                t.SetCodecPreferences(codecs);
            }
        }
    }

    // (1) Chromium's fake camera and microphone: we decode (nearly) every frame it sent, at its size, and hear it.
    [TestCase(Offerer.ForeignOffers)]
    [TestCase(Offerer.DotNetOffers)]
    public async Task ChromiumCameraAndMic_DotNetDecodesTheFramesItSent_AtItsResolution(Offerer offerer)
    {
        var codecs = Codecs();
        await using var call = await StartCallAsync(await ChromiumAsync(), codecs);
        var probe = new MediaProbe();
        call.Pc.Track += (_, e) => probe.Attach(e);
        var captured = await ChromiumSendsAsync(call, offerer);
        var camera = captured["tracks"]!.AsArray().OfType<JsonObject>().Single(t => (string?)t["kind"] == "video");
        Assert.That(((int?)camera["settings"]?["width"], (int?)camera["settings"]?["height"]), Is.EqualTo(((int?)640, (int?)480)), "the fake camera captures 640x480");

        await call.NegotiateAsync(offerer);
        await call.WaitConnectedAsync();
        await call.Until(() => probe.VideoFrames >= 30 && probe.AudioFrames >= 50, "30 video frames and 1 s of audio from Chromium");
        await Task.Delay(TimeSpan.FromSeconds(4));

        // Chromium's count first, ours just after: what is in flight then can only add to ours.
        var theirs = await ForeignStatsAsync(call);
        int decodedHere = probe.VideoFrames;
        var ourVideo = await OurInboundAsync(call, "video");
        var ourAudio = await OurInboundAsync(call, "audio");
        var sent = Rtp(theirs, "outbound", "video");
        long framesSent = Long(sent, "framesSent"), framesEncoded = Long(sent, "framesEncoded");
        await TestContext.Out.WriteLineAsync($"Chromium encoded {framesEncoded}, sent {framesSent} frames ({Long(sent, "frameWidth")}x{Long(sent, "frameHeight")}, {Mime(sent)}, {sent?["encoderImplementation"]}, limited by {sent?["qualityLimitationReason"]}); " +
            $"we decoded {decodedHere} ({ourVideo?.FramesDecoded} in getStats, {probe.Width}x{probe.Height}), lost {ourVideo?.PacketsLost}, NACKs {ourVideo?.NackCount}, PLIs {ourVideo?.PliCount}; audio max level {probe.MaxLevel:F3}, energy {ourAudio?.TotalAudioEnergy}");

        Assert.Multiple(() =>
        {
            Assert.That(framesSent, Is.GreaterThan(60), "Chromium sent frames for several seconds: " + Describe(sent));
            Assert.That(decodedHere, Is.GreaterThanOrEqualTo(0.75 * framesSent), "we decoded at least 75% of the frames Chromium sent (a loaded machine decodes late, not never)");
            Assert.That(ourVideo?.FramesDecoded, Is.GreaterThanOrEqualTo(decodedHere), "our getStats counts the frames we delivered");
            Assert.That((probe.Width, probe.Height), Is.EqualTo(((int)Long(sent, "frameWidth"), (int)Long(sent, "frameHeight"))), "we decode at the size Chromium sends");
            Assert.That((ourVideo?.FrameWidth, ourVideo?.FrameHeight), Is.EqualTo(((int?)probe.Width, (int?)probe.Height)));
            Assert.That(probe.MaxLevel, Is.GreaterThan(0), "the fake microphone's audio is not silence");
            Assert.That(ourAudio?.TotalAudioEnergy, Is.GreaterThan(0));
            Assert.That(Mime(Rtp(theirs, "outbound", "audio")), Is.EqualTo("audio/opus"));
        });
    }

    // (2), (3) Our test pattern and sine: Chromium decodes them at 640x480 and shows the bars in a <video>.
    [TestCase(Offerer.ForeignOffers, "VP8")]
    [TestCase(Offerer.DotNetOffers, "VP8")]
    [TestCase(Offerer.ForeignOffers, "H264")]
    [TestCase(Offerer.DotNetOffers, "H264")]
    [TestCase(Offerer.ForeignOffers, "VP9")]
    [TestCase(Offerer.DotNetOffers, "VP9")]
    public async Task DotNetTestPatternAndSine_ChromiumDecodesAndShowsThem(Offerer offerer, string codec)
    {
        var codecs = Codecs();
        await using var call = await StartCallAsync(await ChromiumAsync(), codecs);
        await DotNetSendsAsync(call, offerer);
        await ForceCodecAsync(call, offerer, codecs, MediaKind.Video, "video/" + codec, codec == "H264" ? "packetization-mode=1" : null);

        await call.NegotiateAsync(offerer);
        await call.WaitConnectedAsync();
        var first = await UntilForeignStatsAsync(call, s => Long(Rtp(s, "inbound", "video"), "framesDecoded") >= 30 && Double(Rtp(s, "inbound", "audio"), "totalAudioEnergy") > 0,
            "30 frames decoded and audio energy in Chromium");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var later = await ForeignStatsAsync(call);
        var video = Rtp(later, "inbound", "video");
        var audio = Rtp(later, "inbound", "audio");
        var ourVideo = await OurOutboundAsync(call, "video");

        string shot = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"chromium-shows-dotnet-{codec}-{offerer}.png");
        var seen = await call.Foreign.CallAsync("screenshotVideo", new JsonObject { ["path"] = shot });
        if (File.Exists(shot))
        {
            TestContext.AddTestAttachment(shot, $"Chromium's <video> of our {codec} test pattern");
        }

        var samples = seen["samples"]!.AsArray().OfType<JsonObject>().Select(p => ((int)p["r"]!, (int)p["g"]!, (int)p["b"]!)).ToList();
        int distinct = samples.Select(p => (p.Item1 / 48, p.Item2 / 48, p.Item3 / 48)).Distinct().Count();
        int saturated = samples.Count(p => Math.Max(p.Item1, Math.Max(p.Item2, p.Item3)) - Math.Min(p.Item1, Math.Min(p.Item2, p.Item3)) > 80);
        await TestContext.Out.WriteLineAsync($"{codec}: we encoded {ourVideo?.FramesEncoded}, sent {ourVideo?.PacketsSent} packets; Chromium decoded {Long(video, "framesDecoded")} " +
            $"({Long(video, "frameWidth")}x{Long(video, "frameHeight")}, {Mime(video)}, {video?["decoderImplementation"]}), freezes {Long(video, "freezeCount")}, lost {Long(video, "packetsLost")}; " +
            $"audio {Mime(audio)} energy {Double(audio, "totalAudioEnergy"):F3}, level {Double(audio, "audioLevel"):F3}; <video> {seen["videoWidth"]}x{seen["videoHeight"]}, samples {string.Join(" ", samples.Select(p => $"#{p.Item1:x2}{p.Item2:x2}{p.Item3:x2}"))}");

        Assert.Multiple(() =>
        {
            Assert.That(Mime(video), Is.EqualTo("video/" + codec).IgnoreCase, "the forced codec was negotiated");
            Assert.That(Long(video, "framesDecoded"), Is.GreaterThan(Long(Rtp(first, "inbound", "video"), "framesDecoded")), "Chromium keeps decoding");
            Assert.That((Long(video, "frameWidth"), Long(video, "frameHeight")), Is.EqualTo((640L, 480L)), "Chromium decodes at the size we sent");
            Assert.That(Mime(audio), Is.EqualTo("audio/opus"));
            Assert.That(Double(audio, "totalAudioEnergy"), Is.GreaterThan(0), "Chromium hears our sine");
            Assert.That(((int?)seen["videoWidth"], (int?)seen["videoHeight"]), Is.EqualTo(((int?)640, (int?)480)), "the <video> element's size");
            Assert.That(distinct, Is.GreaterThanOrEqualTo(4), "the <video> shows several colour bars, not a black or uniform picture");
            Assert.That(saturated, Is.GreaterThanOrEqualTo(3), "saturated bar colours in the <video>");
        });
    }

    // (4) The managed narrow-band and wide-band codecs, both ways, forced on the offering side.
    [TestCase(Offerer.ForeignOffers, "PCMU")]
    [TestCase(Offerer.DotNetOffers, "PCMU")]
    [TestCase(Offerer.ForeignOffers, "G722")]
    [TestCase(Offerer.DotNetOffers, "G722")]
    public async Task ManagedAudioCodecs_BothWays(Offerer offerer, string codec)
    {
        var codecs = Codecs();
        await using var call = await StartCallAsync(await ChromiumAsync(), codecs);
        var probe = new MediaProbe();
        call.Pc.Track += (_, e) => probe.Attach(e);
        call.Pc.AddTrack(AudioSource.Sine(440).CreateTrack(), new MediaStream());
        await call.Foreign.CallAsync("addUserMedia", new JsonObject { ["audio"] = true, ["video"] = false });
        await ForceCodecAsync(call, offerer, codecs, MediaKind.Audio, "audio/" + codec);

        await call.NegotiateAsync(offerer);
        await call.WaitConnectedAsync();
        var theirs = await UntilForeignStatsAsync(call, s => Double(Rtp(s, "inbound", "audio"), "totalAudioEnergy") > 0, "audio energy in Chromium");
        await call.Until(() => probe.AudioFrames >= 100 && probe.MaxLevel > 0, "audio with a level at our side");
        var ours = await OurInboundAsync(call, "audio");
        var stats = await call.Pc.GetStatsAsync();
        var ourCodec = ours?.CodecId is { } id ? stats[id] as RTCCodecStats : null;
        await TestContext.Out.WriteLineAsync($"{codec}: Chromium receives {Mime(Rtp(theirs, "inbound", "audio"))} energy {Double(Rtp(theirs, "inbound", "audio"), "totalAudioEnergy"):F4}, sends {Mime(Rtp(theirs, "outbound", "audio"))}; " +
            $"we receive {ourCodec?.MimeType}, {probe.AudioFrames} frames, max level {probe.MaxLevel:F3}");
        Assert.Multiple(() =>
        {
            Assert.That(Mime(Rtp(theirs, "inbound", "audio")), Is.EqualTo("audio/" + codec).IgnoreCase);
            Assert.That(Mime(Rtp(theirs, "outbound", "audio")), Is.EqualTo("audio/" + codec).IgnoreCase);
            Assert.That(ourCodec?.MimeType, Is.EqualTo("audio/" + codec).IgnoreCase);
            Assert.That(probe.MaxLevel, Is.GreaterThan(0));
        });
    }

    // (5) 5% of all datagrams to and from our ports dropped in the kernel, video both ways for 20 s:
    // NACK and RTX repair it in both directions: Chromium never needs a key frame and decodes what we
    // send. Its freeze count is logged, not asserted: it measures frame timing, which a loaded
    // machine (CI) disturbs without any loss going unrepaired.
    [TestCase(Offerer.ForeignOffers)]
    [TestCase(Offerer.DotNetOffers)]
    public async Task FivePercentLoss_NackAndRtxKeepVideoFlowingBothWays(Offerer offerer)
    {
        const int MinPort = 47400, MaxPort = 47499;
        var codecs = Codecs();
        await using var call = await StartCallAsync(await ChromiumAsync(), codecs, (MinPort, MaxPort));
        var probe = new MediaProbe();
        call.Pc.Track += (_, e) => probe.Attach(e);
        var stream = new MediaStream();
        call.Pc.AddTrack(VideoSource.TestPattern(640, 480, 30).CreateTrack(), stream);
        call.Pc.AddTrack(AudioSource.Sine(440).CreateTrack(), stream);
        await call.Foreign.CallAsync("addUserMedia", new JsonObject { ["audio"] = true, ["video"] = true, ["width"] = 640, ["height"] = 480 });

        await call.NegotiateAsync(offerer);
        await call.WaitConnectedAsync();
        await call.Until(() => probe.VideoFrames >= 30, "video from Chromium before the loss");
        await UntilForeignStatsAsync(call, s => Long(Rtp(s, "inbound", "video"), "framesDecoded") >= 30, "video decoded by Chromium before the loss");
        var before = await ForeignStatsAsync(call);
        var ourOutBefore = await OurOutboundAsync(call, "video");
        int framesBefore = probe.VideoFrames;

        long dropped;
        await using (var loss = await IntegrationTests.DataChannels.KernelPacketLoss.StartAsync(MinPort, MaxPort, percent: 5))
        {
            // Chromium's view every second, for the log: when freezes come, with what loss and NACKs, and
            // the RTT it derives from our receiver reports (its NACK retry interval follows it).
            for (int second = 1; second <= 20; second++)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                var s = await ForeignStatsAsync(call);
                var v = Rtp(s, "inbound", "video");
                await TestContext.Out.WriteLineAsync($"{second,2} s: Chromium decoded {Long(v, "framesDecoded")}, freezes {Long(v, "freezeCount")} ({Double(v, "totalFreezesDuration"):F3} s), " +
                    $"lost {Long(v, "packetsLost")}, NACKs {Long(v, "nackCount")}, retransmissions {Long(v, "retransmittedPacketsReceived")}; its RTT from our reports: " +
                    string.Join(", ", s["remoteInbound"]!.AsArray().OfType<JsonObject>().Select(r => $"{r["kind"]} {r["roundTripTime"]}")));
            }

            dropped = await loss.DroppedAsync();
        }

        var after = await ForeignStatsAsync(call);
        int framesDuring = probe.VideoFrames - framesBefore;
        var theirIn = Rtp(after, "inbound", "video");
        var theirOut = Rtp(after, "outbound", "video");
        var ourIn = await OurInboundAsync(call, "video");
        var ourOut = await OurOutboundAsync(call, "video");
        long sentDuring = Long(theirOut, "framesSent") - Long(Rtp(before, "outbound", "video"), "framesSent");
        long freezes = Long(theirIn, "freezeCount") - Long(Rtp(before, "inbound", "video"), "freezeCount");
        var theirInBefore = Rtp(before, "inbound", "video");
        long keyFrameRequests = Long(theirIn, "pliCount") + Long(theirIn, "firCount") - Long(theirInBefore, "pliCount") - Long(theirInBefore, "firCount");
        long decodedByThem = Long(theirIn, "framesDecoded") - Long(theirInBefore, "framesDecoded");
        long encodedByUs = (ourOut?.FramesEncoded ?? 0) - (ourOutBefore?.FramesEncoded ?? 0);
        await TestContext.Out.WriteLineAsync($"kernel dropped {dropped} datagrams in 20 s. .NET -> Chromium: Chromium decoded {Long(theirIn, "framesDecoded")}, lost {Long(theirIn, "packetsLost")}, " +
            $"sent {Long(theirIn, "nackCount")} NACKs, got {Long(theirIn, "retransmittedPacketsReceived")} retransmissions, freezes {freezes} ({Double(theirIn, "totalFreezesDuration"):F3} s), PLIs {Long(theirIn, "pliCount")}; " +
            $"we got {ourOut?.NackCount} NACKs, retransmitted {ourOut?.RetransmittedPacketsSent}, PLIs {ourOut?.PliCount}. " +
            $"Chromium -> .NET: we decoded {framesDuring} frames during the loss ({probe.Width}x{probe.Height}), lost {ourIn?.PacketsLost}, sent {ourIn?.NackCount} NACKs, {ourIn?.PliCount} PLIs, " +
            $"got {ourIn?.RetransmittedPacketsReceived} retransmissions; Chromium got {Long(theirOut, "nackCount")} NACKs, retransmitted {Long(theirOut, "retransmittedPacketsSent")}, sent {Long(theirOut, "framesSent")} frames");

        Assert.Multiple(() =>
        {
            Assert.That(dropped, Is.GreaterThan(50), "the loss rule dropped traffic");
            Assert.That(keyFrameRequests, Is.Zero, "every loss was repaired by retransmission: Chromium never asked for a key frame: " + Describe(theirIn));
            Assert.That(decodedByThem, Is.GreaterThanOrEqualTo(0.75 * encodedByUs), $"Chromium decoded what we encoded during the loss ({encodedByUs} frames; freezes {freezes})");
            Assert.That(Long(theirIn, "nackCount"), Is.GreaterThan(0), "Chromium asked for retransmissions");
            Assert.That(ourOut?.NackCount, Is.GreaterThan(0), "we received Chromium's NACKs");
            Assert.That(ourOut?.RetransmittedPacketsSent, Is.GreaterThan(0), "we retransmitted over RTX");
            Assert.That(Long(theirIn, "retransmittedPacketsReceived"), Is.GreaterThan(0), "Chromium received our retransmissions");
            Assert.That(ourIn?.NackCount, Is.GreaterThan(0), "we asked Chromium for retransmissions");
            Assert.That(Long(theirOut, "nackCount"), Is.GreaterThan(0), "Chromium received our NACKs");
            Assert.That(Long(theirOut, "retransmittedPacketsSent"), Is.GreaterThan(0), "Chromium retransmitted");
            Assert.That(framesDuring, Is.GreaterThanOrEqualTo(0.75 * sentDuring), $"we kept decoding Chromium's video through the loss ({sentDuring} frames sent meanwhile)");
        });
    }
}
