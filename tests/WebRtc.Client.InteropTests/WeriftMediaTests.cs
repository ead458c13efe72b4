using System.Text.Json.Nodes;
using WebRtc.Client.Codecs;
using WebRtc.Client.Codecs.FFmpeg;
using WebRtc.Client.Codecs.Opus;
using WebRtc.Client.Media;

namespace WebRtc.Client.InteropTests;

/// <summary>
/// Media with werift, as far as werift does media: it has no codecs, but it receives our SRTP, depacketizes
/// nothing and forwards the RTP back through its own senders (SSRCs, sequence numbers, SRTP and RTCP are its
/// own). We send VP8 + Opus and decode what comes back.
/// </summary>
[NonParallelizable]
public class WeriftMediaTests
{
    [TestCase(Offerer.DotNetOffers)]
    [TestCase(Offerer.ForeignOffers)]
    public async Task WeriftEchoesOurVp8AndOpus_AndWeDecodeTheEcho(Offerer offerer)
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

        await using var werift = await ForeignPeer.StartAsync("werift");
        var registry = CodecRegistry.CreateDefault().AddOpus().AddFFmpegVideo();
        await using var call = await InteropCall.StartAsync(werift, options: new RTCPeerConnectionOptions { Codecs = registry });
        await call.Foreign.CallAsync("echoMedia");
        int videoFrames = 0, audioFrames = 0, width = 0, height = 0;
        double maxLevel = 0;
        call.Pc.Track += (_, e) =>
        {
            e.Track.VideoFrameReceived += (_, f) =>
            {
                (width, height) = (f.Width, f.Height);
                Interlocked.Increment(ref videoFrames);
            };
            e.Track.AudioFrameReceived += (_, f) =>
            {
                double sum = 0;
                foreach (short s in f.Samples)
                {
                    sum += (double)s * s;
                }

                maxLevel = Math.Max(maxLevel, Math.Sqrt(sum / Math.Max(1, f.Samples.Length)) / 32768);
                Interlocked.Increment(ref audioFrames);
            };
        };

        var video = call.Pc.AddTrack(VideoSource.TestPattern(320, 240, 30).CreateTrack());
        call.Pc.AddTrack(AudioSource.Sine(440).CreateTrack());
        if (offerer == Offerer.ForeignOffers)
        {
            // werift offers; its transceivers are then ours to fill, and it echoes what we send on them.
            await call.Foreign.CallAsync("addTransceiver", new JsonObject { ["kind"] = "audio", ["direction"] = "sendrecv" });
            await call.Foreign.CallAsync("addTransceiver", new JsonObject { ["kind"] = "video", ["direction"] = "sendrecv" });
        }

        await call.NegotiateAsync(offerer);
        await call.WaitConnectedAsync();
        await call.Until(() => videoFrames >= 30 && audioFrames >= 50, "30 echoed video frames and 1 s of echoed audio");
        var inbound = (await call.Pc.GetStatsAsync()).OfType<RTCInboundRtpStreamStats>().ToList();
        var outbound = (await call.Pc.GetStatsAsync()).OfType<RTCOutboundRtpStreamStats>().Single(s => s.Kind == "video");
        await TestContext.Out.WriteLineAsync($"werift {werift.Version}: echoed {videoFrames} frames at {width}x{height}, {audioFrames} audio frames (level {maxLevel:F3}); " +
            $"we encoded {outbound.FramesEncoded}; inbound SSRCs {string.Join(", ", inbound.Select(s => s.Ssrc))}, ours {outbound.Ssrc}");
        Assert.Multiple(() =>
        {
            Assert.That((width, height), Is.EqualTo((320, 240)));
            Assert.That(maxLevel, Is.GreaterThan(0.1), "the echoed sine");
            Assert.That(inbound.Select(s => s.Kind), Is.EquivalentTo(new[] { "audio", "video" }));
        });
    }
}
