using System.Buffers.Binary;
using WebRtc.Client.Codecs.Opus;
using WebRtc.Client.Media;
using WebRtc.Client.Rtcp;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Tests.Media;

/// <summary>
/// Hostile input into RtpMediaTransport's receive path: garbage, authentic SRTP/SRTCP with bits flipped
/// after protection, and authentic SRTP/SRTCP whose content is random (so it passes authentication and
/// reaches the RTP/RTCP parsers, the router, RTX unwrap, the frame assembler and the decoders).
/// Nothing may throw, nothing may hang, and what is dropped is counted.
/// </summary>
public class RtpMediaTransportFuzzTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(3);

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void Random_and_mutated_datagrams_never_throw_and_drops_are_counted(int seed)
    {
        var run = Task.Run(async () => await Fuzz(seed, 6000));
        Assert.That(run.Wait(HangGuard), Is.True, "the receive path hung");
        run.GetAwaiter().GetResult();
    }

    private static async Task Fuzz(int seed, int iterations)
    {
        await using var rig = new MediaRig();
        var random = new Random(seed);
        var video = new TestVideoCodec { FrameSize = 2000 };
        var sender = rig.NewSender(rig.A, MediaKind.Video, "v", 0xA000, MediaRig.VideoSendConfig(video));
        var (rxVideo, videoReceiver) = MediaRig.NewReceiver(rig.B, MediaKind.Video, MediaRig.VideoReceiveConfig("v", video));
        var opus = new ReceiveConfig("a", [new ReceiveCodec(111, OpusCodec.Info, 48000, 2, OpusCodec.DefaultFmtp, null)], MediaRig.MidId, 3, false, false, []);
        var (rxAudio, audioReceiver) = MediaRig.NewReceiver(rig.B, MediaKind.Audio, opus);
        rig.A.SetStreams([sender], []);
        rig.B.SetStreams([], [rxVideo, rxAudio]);
        int encodedFrames = 0, decodedAudio = 0;
        videoReceiver.EncodedFrameReceived += (RTCRtpReceiver _, in EncodedFrame f) => encodedFrames++;
        audioReceiver.Track.AudioFrameReceived += (_, _) => decodedAudio++;

        // Authentic traffic to mutate: real frames through the real sender, captured instead of delivered.
        var authentic = new List<byte[]>();
        rig.PipeA.Filter = d =>
        {
            authentic.Add(d);
            return false;
        };
        using (var picture = VideoFrame.Create(32, 32))
        {
            for (int i = 0; i < 20; i++)
            {
                sender.OnVideoFrame(new MediaStreamTrack(MediaKind.Video, "v", null), picture);
            }
        }

        rig.PipeA.Filter = null;
        Assert.That(authentic, Has.Count.GreaterThan(20));

        var deliver = rig.PipeB.Receiver!;
        long counted = 0, expected = 0;
        ushort seq = 1;
        var ssrcs = new uint[] { 0xA000, 0xA001, 0x1234, 0x5678, (uint)random.Next() };
        for (int i = 0; i < iterations; i++)
        {
            long before = rig.B.DroppedPackets;
            int kind = random.Next(7);
            switch (kind)
            {
                case 0:
                {
                    // Plain garbage, any length (RTP-looking first byte half the time): never authentic.
                    var garbage = new byte[random.Next(0, 1600)];
                    random.NextBytes(garbage);
                    if (garbage.Length > 1 && random.Next(2) == 0)
                    {
                        garbage[0] = 0x80;
                    }

                    deliver(garbage);
                    expected++;
                    counted += rig.B.DroppedPackets - before;
                    break;
                }

                case 1:
                {
                    // An authentic SRTP packet with 1-3 bits flipped after protection: fails authentication.
                    var packet = authentic[random.Next(authentic.Count)].ToArray();
                    for (int f = random.Next(1, 4); f > 0; f--)
                    {
                        packet[random.Next(packet.Length)] ^= (byte)(1 << random.Next(8));
                    }

                    deliver(packet);
                    expected++;
                    counted += rig.B.DroppedPackets - before;
                    break;
                }

                case 2:
                case 3:
                    deliver(RandomRtp(rig, random, ref seq, ssrcs));
                    break;
                case 4:
                    deliver(RandomRtcp(rig, random, ssrcs));
                    break;
                case 5:
                {
                    // Authentic SRTCP with a flipped bit.
                    var rtcp = RandomRtcp(rig, random, ssrcs);
                    rtcp[random.Next(rtcp.Length)] ^= (byte)(1 << random.Next(8));
                    deliver(rtcp);
                    expected++;
                    counted += rig.B.DroppedPackets - before;
                    break;
                }

                default:
                    // Real traffic in between, sometimes twice (a replay: dropped).
                    var real = authentic[random.Next(authentic.Count)];
                    deliver(real);
                    break;
            }

            if (i % 25 == 0)
            {
                rig.Time.Advance(TimeSpan.FromMilliseconds(random.Next(1, 300)));
                rig.Flush();
            }
        }

        Assert.That(counted, Is.EqualTo(expected), "every unauthentic datagram is one counted drop");
        Assert.That(rig.B.ReceiveFailures + rig.A.ReceiveFailures, Is.Zero, "no stage threw (the transport's catch is a safety net, not the plan)");
        Assert.That(rig.B.DroppedPackets, Is.GreaterThan(expected), "authentic but unroutable or malformed packets are counted too");
        Assert.That(encodedFrames + decodedAudio, Is.GreaterThan(0), "random content did reach the assembler and decoders");

        // The transport still works afterwards: a fresh keyframe from a fresh sender SSRC gets through.
        var frames = new List<byte[]>();
        videoReceiver.EncodedFrameReceived += (RTCRtpReceiver _, in EncodedFrame f) => frames.Add(f.Data.ToArray());
        var after = rig.NewSender(rig.A, MediaKind.Video, "v", 0xC000, MediaRig.VideoSendConfig(video));
        rig.A.SetStreams([after], []);
        after.OnEncodedFrame(new MediaStreamTrack(MediaKind.Video, "v", null), new EncodedMediaFrame("VP8", TestVideoCodec.MakeFrame(9, true, 3000), TimeSpan.Zero, true));
        rig.Flush();
        Assert.That(frames.Any(f => f.SequenceEqual(TestVideoCodec.MakeFrame(9, true, 3000))), Is.True);
    }

    // Random RTP that passes SRTP authentication: random PT (the negotiated ones more often), marker,
    // timestamps, one- or two-byte extension blocks with random ids (mid among them), CSRCs, padding, payloads.
    private static byte[] RandomRtp(MediaRig rig, Random random, ref ushort seq, uint[] ssrcs)
    {
        var buffer = new byte[1600];
        byte pt = random.Next(4) switch
        {
            0 => 96,
            1 => 97,
            2 => 111,
            _ => (byte)random.Next(128),
        };
        if (pt is >= 64 and <= 95)
        {
            pt = 96; // 72-76 with the marker would be RTCP on the wire (RFC 5761 §4)
        }

        var writer = new RtpPacketWriter(buffer);
        var csrcs = new uint[random.Next(3)];
        writer.TryWriteHeader(new RtpHeader
        {
            Marker = random.Next(3) == 0,
            PayloadType = pt,
            SequenceNumber = random.Next(8) == 0 ? (ushort)random.Next(65536) : seq++,
            Timestamp = (uint)(random.Next(50) * 3000),
            Ssrc = ssrcs[random.Next(ssrcs.Length)],
        }, csrcs);
        if (random.Next(2) == 0)
        {
            writer.TryBeginExtensions(random.Next(3) == 0 ? RtpExtensionForm.TwoByte : RtpExtensionForm.OneByte);
            for (int e = random.Next(4); e > 0; e--)
            {
                int id = random.Next(4) == 0 ? MediaRig.MidId : random.Next(1, 15);
                var data = id == MediaRig.MidId && random.Next(2) == 0
                    ? (random.Next(2) == 0 ? "v"u8.ToArray() : "a"u8.ToArray())
                    : new byte[random.Next(1, 17)];
                if (!(id == MediaRig.MidId && data.Length == 1))
                {
                    random.NextBytes(data);
                }

                writer.TryAddExtension(id, data);
            }
        }

        var payload = new byte[random.Next(0, 1300)];
        random.NextBytes(payload);
        if (payload.Length > 4 && random.Next(2) == 0)
        {
            // A plausible VP8 descriptor (or an RTX OSN followed by one) so that more of it gets deep.
            payload[0] = (byte)(random.Next(2) == 0 ? 0x90 : 0x80);
            payload[1] = 0x80;
        }

        writer.TryWritePayload(payload, random.Next(6) == 0 ? random.Next(1, 40) : 0);
        int length = writer.Length;
        byte first = buffer[0];
        if (random.Next(20) == 0)
        {
            // A header that lies about its CSRC count, under a valid tag (when SRTP can still protect it).
            buffer[0] = (byte)(buffer[0] | random.Next(16));
        }

        if (!rig.ForgeFromA.TryProtectRtp(buffer, length, out int protectedLength))
        {
            buffer[0] = first;
            Assert.That(rig.ForgeFromA.TryProtectRtp(buffer, length, out protectedLength), Is.True);
        }

        return buffer[..protectedLength];
    }

    // Random RTCP compounds that pass SRTCP authentication: real packet types with random bodies and counts,
    // valid SR/RR/feedback/BYE for known SSRCs, and lengths that lie.
    private static byte[] RandomRtcp(MediaRig rig, Random random, uint[] ssrcs)
    {
        var buffer = new byte[1600];
        int length = 0;
        for (int p = random.Next(1, 5); p > 0 && length < 1200; p--)
        {
            var span = buffer.AsSpan(length);
            uint ssrc = ssrcs[random.Next(ssrcs.Length)];
            int written = 0;
            switch (random.Next(7))
            {
                case 0:
                    RtcpWriter.TryWriteReceiverReport(span, ssrc, [new RtcpReportBlock(0xA000, (byte)random.Next(256), random.Next(-100, 100), (uint)random.Next(), (uint)random.Next(), (uint)random.Next(), (uint)random.Next())], out written);
                    break;
                case 1:
                    RtcpWriter.TryWriteNack(span, ssrc, random.Next(2) == 0 ? 0xA000u : ssrc, [(ushort)random.Next(65536), (ushort)random.Next(65536)], out written);
                    break;
                case 2:
                    RtcpWriter.TryWritePli(span, ssrc, random.Next(2) == 0 ? 0xA000u : ssrc, out written);
                    break;
                case 3:
                    RtcpWriter.TryWriteBye(span, [ssrc], default, out written);
                    break;
                case 4:
                    RtcpWriter.TryWriteSenderReport(span, ssrc, new NtpTime((ulong)random.NextInt64()), (uint)random.Next(), 1, 2, default, out written);
                    break;
                default:
                {
                    // Any type 192-223 with a random body and a random count, length field honest or not.
                    int words = random.Next(0, 12);
                    span[0] = (byte)(0x80 | random.Next(32) | (random.Next(8) == 0 ? 0x20 : 0));
                    span[1] = (byte)random.Next(192, 224);
                    BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)(random.Next(10) == 0 ? random.Next(65536) : words));
                    random.NextBytes(span.Slice(4, words * 4));
                    written = 4 + (words * 4);
                    break;
                }
            }

            length += written;
        }

        if (length < 8 || buffer[1] is < 192 or > 223)
        {
            buffer[0] = 0x80;
            buffer[1] = 201;
            length = Math.Max(length, 8);
        }

        // The sender SSRC (which SRTCP keys its index on) from the small set: random ones would exhaust the context's streams.
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(4), ssrcs[random.Next(ssrcs.Length)]);
        if (!rig.ForgeFromA.TryProtectRtcp(buffer, length, out int protectedLength))
        {
            // SRTCP refuses a first header whose length lies; keep the rest behind an honest one.
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), (ushort)((length / 4) - 1));
            length -= length % 4;
            Assert.That(rig.ForgeFromA.TryProtectRtcp(buffer, length, out protectedLength, out var error), Is.True, error.ToString());
        }

        return buffer[..protectedLength];
    }
}
