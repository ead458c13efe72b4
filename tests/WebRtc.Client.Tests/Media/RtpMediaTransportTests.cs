using System.Buffers.Binary;
using WebRtc.Client.Media;
using WebRtc.Client.Rtcp;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Tests.Media;

/// <summary>
/// RtpMediaTransport, RtpSendStream, RtpReceiveStream and RtcpReports driven directly: two transports
/// with real SRTP contexts over an in-memory link, a fake clock, and a test codec adapter.
/// </summary>
public class RtpMediaTransportTests
{
    private const uint SenderSsrc = 0xA0000;
    private static readonly MediaStreamTrack LocalVideo = new(MediaKind.Video, "local", null);

    private static void SendEncoded(RtpSendStream sender, byte[] frame, int index, bool key) =>
        sender.OnEncodedFrame(LocalVideo, new EncodedMediaFrame("VP8", frame, TimeSpan.FromMilliseconds(33 * index), key));

    private static List<(byte[] Data, bool Key)> CollectFrames(RTCRtpReceiver receiver)
    {
        var frames = new List<(byte[] Data, bool Key)>();
        receiver.EncodedFrameReceived += (RTCRtpReceiver _, in EncodedFrame f) => frames.Add((f.Data.ToArray(), f.IsKeyFrame));
        return frames;
    }

    private static List<byte[]> CollectPackets(RTCRtpReceiver receiver)
    {
        var packets = new List<byte[]>();
        receiver.RtpPacketReceived += (_, p) => packets.Add(p.ToArray());
        return packets;
    }

    // A VP8 payload: descriptor (S=1, PictureID) + a one-byte VP8 header with P=0 (keyframe) + data.
    private static readonly byte[] Vp8Payload = [0x90, 0x80, 0x80, 0x01, 0x10, 1, 2, 3, 4];

    [Test]
    public async Task A_video_frame_crosses_split_into_packets_and_reassembles_byte_exact()
    {
        await using var rig = new MediaRig();
        var codec = new TestVideoCodec { FrameSize = 2500 };
        var sender = rig.NewSender(rig.A, MediaKind.Video, "v", SenderSsrc, MediaRig.VideoSendConfig(codec));
        var (rx, receiver) = MediaRig.NewReceiver(rig.B, MediaKind.Video, MediaRig.VideoReceiveConfig("v", codec));
        rig.A.SetStreams([sender], []);
        rig.B.SetStreams([], [rx]);
        var frames = CollectFrames(receiver);

        using var picture = VideoFrame.Create(64, 48);
        sender.OnVideoFrame(LocalVideo, picture);
        rig.Flush();

        Assert.That(rig.PipeA.Sent, Has.Count.EqualTo(3), "2500 bytes in 1200-byte packets");
        Assert.That(rig.PipeA.Sent.Max(d => d.Length), Is.LessThanOrEqualTo(1200));
        Assert.That(frames, Has.Count.EqualTo(1));
        Assert.That(frames[0].Data, Is.EqualTo(TestVideoCodec.MakeFrame(0, true, 2500)));
        Assert.That(frames[0].Key, Is.True);
        Assert.That((rx.FramesReceived, rx.FramesDecoded, rx.KeyFramesDecoded), Is.EqualTo((1L, 1L, 1L)));
        Assert.That(codec.Decoded.Single(), Is.EqualTo(frames[0].Data));
        Assert.That(rig.B.DroppedPackets, Is.Zero);

        // What went on the wire is SRTP: the payload is not in clear, and it carries mid and abs-send-time.
        var reader = rig.NewReaderOfA();
        var plain = MediaRig.ReadRtp(reader, rig.PipeA.Sent[0])!;
        Assert.That(RtpPacket.TryParse(plain, out var first, out _), Is.True);
        Assert.That(first.Ssrc, Is.EqualTo(SenderSsrc));
        Assert.That(first.TryGetExtension(MediaRig.MidId, out var mid) && mid.SequenceEqual("v"u8), Is.True);
        Assert.That(first.TryGetExtension(MediaRig.AbsSendTimeId, out var ast) && ast.Length == 3, Is.True);
        Assert.That(rig.PipeA.Sent[0].AsSpan().IndexOf(first.Payload[4..40]), Is.EqualTo(-1), "payload encrypted");
    }

    [Test]
    public async Task Routing_mid_extension_first_then_learned_ssrc_then_unique_payload_type()
    {
        await using var rig = new MediaRig();
        var codec = new TestVideoCodec();
        var info = MediaRig.VideoReceiveConfig("x", codec).Codecs[0].Codec;
        // Both m-sections take PT 96 (ambiguous); 100 is only in "a", 101 only in "b"; "b" declares SSRC 0xD0.
        var configA = new ReceiveConfig("a", [new ReceiveCodec(96, info, 90000, 0, null, null), new ReceiveCodec(100, info, 90000, 0, null, null)],
            MediaRig.MidId, 0, false, false, []);
        var configB = new ReceiveConfig("b", [new ReceiveCodec(96, info, 90000, 0, null, null), new ReceiveCodec(101, info, 90000, 0, null, null)],
            MediaRig.MidId, 0, false, false, [0xD0u]);
        var (ra, receiverA) = MediaRig.NewReceiver(rig.B, MediaKind.Video, configA);
        var (rb, receiverB) = MediaRig.NewReceiver(rig.B, MediaKind.Video, configB);
        rig.B.SetStreams([], [ra, rb]);
        var atA = CollectPackets(receiverA);
        var atB = CollectPackets(receiverB);
        ushort seq = 1000;
        void Send(byte pt, uint ssrc, string? mid) =>
            rig.PipeB.Receiver!(MediaRig.Protect(rig.ForgeFromA, pt, seq++, 90000, ssrc, Vp8Payload, mid, marker: true));
        (int A, int B, long Dropped) Counts() => (atA.Count, atB.Count, rig.B.DroppedPackets);

        Send(96, 0x10, "b");
        Assert.That(Counts(), Is.EqualTo((0, 1, 0L)), "MID extension routes an ambiguous payload type");
        Send(96, 0x10, null);
        Assert.That(Counts(), Is.EqualTo((0, 2, 0L)), "then the SSRC learned from it");
        Send(100, 0x20, null);
        Send(100, 0x20, null);
        Assert.That(Counts(), Is.EqualTo((2, 2, 0L)), "a payload type only one m-section has");
        Send(96, 0x30, null);
        Assert.That(Counts(), Is.EqualTo((2, 2, 1L)), "an unknown SSRC with an ambiguous payload type is dropped and counted");
        Send(96, 0xD0, null);
        Assert.That(Counts(), Is.EqualTo((2, 3, 1L)), "an SSRC the remote description declares");
        Send(96, 0x10, "a");
        Send(96, 0x10, null);
        Assert.That(Counts(), Is.EqualTo((4, 3, 1L)), "the MID extension overrides the learned SSRC, which follows it");
        Send(101, 0x40, "zz");
        Assert.That(Counts(), Is.EqualTo((4, 4, 1L)), "an unknown MID falls back to the payload type");
        Send(100, 0x40, "b");
        Assert.That(Counts(), Is.EqualTo((4, 4, 2L)), "routed by MID to a section without that payload type: dropped there, counted");
    }

    [Test]
    public async Task Rtcp_is_demultiplexed_by_the_second_byte_RFC_5761()
    {
        await using var rig = new MediaRig();
        var codec = new TestVideoCodec();
        var sender = rig.NewSender(rig.A, MediaKind.Video, "v", SenderSsrc, MediaRig.VideoSendConfig(codec));
        rig.A.SetStreams([sender], []);
        var buffer = new byte[256];

        // SRTCP PLI (RR + SDES + PSFB 206): handled as RTCP.
        RtcpWriter.TryWriteReceiverReport(buffer, 0x777, default, out int n);
        RtcpWriter.TryWriteSdesCname(buffer.AsSpan(n), 0x777, "x"u8, out int w);
        n += w;
        RtcpWriter.TryWritePli(buffer.AsSpan(n), 0x777, SenderSsrc, out w);
        n += w;
        rig.PipeA.Receiver!(MediaRig.ProtectRtcp(rig.ForgeFromB, buffer.AsSpan(0, n)));
        Assert.That((sender.PliReceived, rig.A.DroppedPackets), Is.EqualTo((1L, 0L)));

        // FIR (RFC 5104) alone.
        RtcpWriter.TryWriteFir(buffer, 0x777, [(SenderSsrc, (byte)1)], out n);
        rig.PipeA.Receiver!(MediaRig.ProtectRtcp(rig.ForgeFromB, buffer.AsSpan(0, n)));
        Assert.That((sender.FirReceived, rig.A.DroppedPackets), Is.EqualTo((1L, 0L)));

        // Every RTCP type 200-207 takes the SRTCP path (a valid SRTCP packet of any such type is not dropped).
        for (byte type = 200; type <= 207; type++)
        {
            var packet = new byte[8];
            packet[0] = 0x80;
            packet[1] = type;
            packet[3] = 1;
            BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), 0x777);
            rig.PipeA.Receiver!(MediaRig.ProtectRtcp(rig.ForgeFromB, packet));
        }

        Assert.That(rig.A.DroppedPackets, Is.Zero);

        // An SRTP packet whose second byte falls in 192-223 (marker + PT 72) is taken for SRTCP and fails there.
        rig.PipeA.Receiver!(MediaRig.Protect(rig.ForgeFromB, 72, 1, 0, 0x888, Vp8Payload, marker: true));
        Assert.That(rig.A.DroppedPackets, Is.EqualTo(1));

        // RTP with the marker and PT 96 (second byte 0xE0) or PT 0 is RTP, not RTCP.
        var (rx, receiver) = MediaRig.NewReceiver(rig.B, MediaKind.Video, MediaRig.VideoReceiveConfig("v", codec));
        rig.B.SetStreams([], [rx]);
        var packets = CollectPackets(receiver);
        rig.PipeB.Receiver!(MediaRig.Protect(rig.ForgeFromA, 96, 5, 0, 0x999, Vp8Payload, "v", marker: true));
        Assert.That((packets.Count, rig.B.DroppedPackets), Is.EqualTo((1, 0L)));

        // Plain (unprotected) RTCP fails authentication: dropped and counted.
        rig.PipeA.Receiver!(buffer.AsSpan(0, n).ToArray());
        Assert.That(rig.A.DroppedPackets, Is.EqualTo(2));
    }

    [Test]
    public async Task Pli_makes_the_encoder_emit_a_keyframe_next_RFC_4585_6_3_1()
    {
        await using var rig = new MediaRig();
        var codec = new TestVideoCodec();
        var sender = rig.NewSender(rig.A, MediaKind.Video, "v", SenderSsrc, MediaRig.VideoSendConfig(codec));
        var (rx, receiver) = MediaRig.NewReceiver(rig.B, MediaKind.Video, MediaRig.VideoReceiveConfig("v", codec));
        rig.A.SetStreams([sender], []);
        rig.B.SetStreams([], [rx]);
        var frames = CollectFrames(receiver);
        using var picture = VideoFrame.Create(64, 48);

        sender.OnVideoFrame(LocalVideo, picture);
        sender.OnVideoFrame(LocalVideo, picture);
        rig.Flush();
        Assert.That(codec.EncodedKeyFlags, Is.EqualTo(new[] { true, false }));

        RtcpReports.SendPli(rig.B, 0x0BB0B, SenderSsrc);
        rig.Flush();
        Assert.That(sender.PliReceived, Is.EqualTo(1));

        sender.OnVideoFrame(LocalVideo, picture);
        sender.OnVideoFrame(LocalVideo, picture);
        rig.Flush();
        Assert.That(codec.EncodedKeyFlags, Is.EqualTo(new[] { true, false, true, false }), "the frame after the PLI is a keyframe, the one after is not");
        Assert.That(frames.Select(f => f.Key), Is.EqualTo(new[] { true, false, true, false }));
        Assert.That((sender.KeyFramesEncoded, rx.KeyFramesDecoded), Is.EqualTo((2L, 2L)));
    }

    [Test]
    public async Task Nack_makes_the_sender_retransmit_over_rtx_and_the_receiver_restores_the_byte_exact_original_RFC_4588()
    {
        await using var rig = new MediaRig();
        var codec = new TestVideoCodec { FrameSize = 3000 };
        var sender = rig.NewSender(rig.A, MediaKind.Video, "v", SenderSsrc, MediaRig.VideoSendConfig(codec));
        var (rx, receiver) = MediaRig.NewReceiver(rig.B, MediaKind.Video, MediaRig.VideoReceiveConfig("v", codec));
        rig.A.SetStreams([sender], []);
        rig.B.SetStreams([], [rx]);
        var frames = CollectFrames(receiver);
        var packets = CollectPackets(receiver);
        byte[]? lost = null;
        int rtp = 0;
        rig.PipeA.Filter = d => d[1] is >= 192 and <= 223 || ++rtp != 2 || (lost = d) is null;

        using var picture = VideoFrame.Create(64, 48);
        sender.OnVideoFrame(LocalVideo, picture);
        rig.Flush();
        Assert.That(lost, Is.Not.Null);
        Assert.That(frames, Is.Empty, "the frame waits for its middle packet");

        rig.Advance(TimeSpan.FromMilliseconds(100));

        Assert.That(sender.NackReceived, Is.GreaterThanOrEqualTo(1));
        Assert.That(sender.RetransmittedPackets, Is.EqualTo(1));
        Assert.That(rx.RetransmittedPacketsReceived, Is.EqualTo(1));
        Assert.That(frames, Has.Count.EqualTo(1));
        Assert.That(frames[0].Data, Is.EqualTo(TestVideoCodec.MakeFrame(0, true, 3000)));

        var reader = rig.NewReaderOfA();
        var original = MediaRig.ReadRtp(reader, lost!)!;
        RtpPacket.TryParse(original, out var originalPacket, out _);
        ushort lostSequence = originalPacket.SequenceNumber;
        var restored = packets.Single(p => BinaryPrimitives.ReadUInt16BigEndian(p.AsSpan(2)) == lostSequence);
        Assert.That(restored, Is.EqualTo(original), "the unwrapped RTX packet is the lost packet, byte for byte");

        var rtxWire = rig.PipeA.Sent.Select(d => MediaRig.ReadRtp(reader, d)).Where(p => p is not null && (p[1] & 0x7F) == MediaRig.RtxPt).ToList();
        Assert.That(rtxWire, Has.Count.EqualTo(1));
        RtpPacket.TryParse(rtxWire[0], out var rtxPacket, out _);
        Assert.That(rtxPacket.Ssrc, Is.EqualTo(sender.RtxSsrc));
        Assert.That(BinaryPrimitives.ReadUInt16BigEndian(rtxPacket.Payload), Is.EqualTo(originalPacket.SequenceNumber), "OSN first");
        Assert.That(rtxPacket.Timestamp, Is.EqualTo(originalPacket.Timestamp));
    }

    [Test]
    public async Task Periodic_report_is_an_SR_with_report_blocks_and_SDES_CNAME_RFC_3550_6_1()
    {
        await using var rig = new MediaRig();
        var codec = new TestVideoCodec { FrameSize = 500 };
        var senderA = rig.NewSender(rig.A, MediaKind.Video, "v", SenderSsrc, MediaRig.VideoSendConfig(codec));
        var senderB = rig.NewSender(rig.B, MediaKind.Video, "v", 0xB0000, MediaRig.VideoSendConfig(codec));
        var (rxA, _) = MediaRig.NewReceiver(rig.A, MediaKind.Video, MediaRig.VideoReceiveConfig("v", codec), SenderSsrc);
        var (rxB, _) = MediaRig.NewReceiver(rig.B, MediaKind.Video, MediaRig.VideoReceiveConfig("v", codec), 0xB0000);
        rig.A.SetStreams([senderA], [rxA]);
        rig.B.SetStreams([senderB], [rxB]);
        using var picture = VideoFrame.Create(64, 48);
        senderA.OnVideoFrame(LocalVideo, picture);
        senderB.OnVideoFrame(LocalVideo, picture);
        rig.Flush();
        rig.PipeA.Clear();

        rig.Advance(TimeSpan.FromSeconds(3));

        var reader = rig.NewReaderOfA();
        var compounds = rig.PipeA.Sent.Select(d => MediaRig.ReadRtcp(reader, d)).Where(p => p is not null).Select(p => p!).ToList();
        Assert.That(compounds, Is.Not.Empty);
        foreach (var compound in compounds)
        {
            var types = MediaRig.Types(compound);
            Assert.That(types[0], Is.AnyOf(RtcpPacketType.SenderReport, RtcpPacketType.ReceiverReport), "a compound packet starts with a report");
            Assert.That(types, Does.Contain(RtcpPacketType.SourceDescription), "and carries SDES");
        }

        var sr = compounds.First(c => MediaRig.Types(c)[0] == RtcpPacketType.SenderReport);
        var e = new RtcpCompoundEnumerator(sr);
        Assert.That(e.MoveNext(), Is.True);
        Assert.That(RtcpSenderReport.TryParse(e.Current, out var report, out _), Is.True);
        Assert.That(report.Ssrc, Is.EqualTo(SenderSsrc));
        Assert.That(report.PacketCount, Is.EqualTo(1));
        Assert.That(report.ReportCount, Is.EqualTo(1));
        Assert.That(report.GetReport(0).Ssrc, Is.EqualTo(0xB0000u), "a report block for the SSRC A receives");
        Assert.That(report.GetReport(0).ExtendedHighestSequence & 0xFFFF, Is.EqualTo(rxA.Statistics!.CreateReportBlock(rig.A.Now).ExtendedHighestSequence & 0xFFFF));
        Assert.That(e.MoveNext(), Is.True);
        Assert.That(RtcpSdes.TryParse(e.Current, out var sdes, out _) && sdes.TryGetCname(SenderSsrc, out var cname) && cname.SequenceEqual("alice-cname"u8), Is.True);

        // B got A's reports: its sender learned a round-trip time from A's block about it, A's from B's.
        Assert.That(senderB.RoundTripTime, Is.Not.Null);
        Assert.That(senderA.RoundTripTime, Is.Not.Null);
    }

    [Test]
    public async Task A_receive_only_transport_sends_an_RR_from_the_receivers_own_ssrc()
    {
        await using var rig = new MediaRig();
        var codec = new TestVideoCodec { FrameSize = 500 };
        var sender = rig.NewSender(rig.A, MediaKind.Video, "v", SenderSsrc, MediaRig.VideoSendConfig(codec));
        var (rx, _) = MediaRig.NewReceiver(rig.B, MediaKind.Video, MediaRig.VideoReceiveConfig("v", codec), localSsrc: 0x5151);
        rig.A.SetStreams([sender], []);
        rig.B.SetStreams([], [rx]);
        using var picture = VideoFrame.Create(64, 48);
        sender.OnVideoFrame(LocalVideo, picture);
        rig.Flush();

        rig.Advance(TimeSpan.FromSeconds(2));

        var reader = rig.NewReaderOfB();
        var rr = rig.PipeB.Sent.Select(d => MediaRig.ReadRtcp(reader, d)).First(p => p is not null)!;
        var e = new RtcpCompoundEnumerator(rr);
        e.MoveNext();
        Assert.That(RtcpReceiverReport.TryParse(e.Current, out var report, out _), Is.True);
        Assert.That(report.Ssrc, Is.EqualTo(0x5151u), "the same SSRC its PLIs and NACKs come from");
        Assert.That(report.ReportCount, Is.EqualTo(1));
        Assert.That(report.GetReport(0).Ssrc, Is.EqualTo(SenderSsrc));
        e.MoveNext();
        Assert.That(RtcpSdes.TryParse(e.Current, out var sdes, out _) && sdes.TryGetCname(0x5151, out var cname) && cname.SequenceEqual("bob-cname"u8), Is.True);
    }

    [Test]
    public async Task Reports_follow_the_interval_on_the_fake_clock()
    {
        await using var rig = new MediaRig();
        var codec = new TestVideoCodec { FrameSize = 500 };
        var sender = rig.NewSender(rig.A, MediaKind.Video, "v", SenderSsrc, MediaRig.VideoSendConfig(codec));
        rig.A.SetStreams([sender], []);
        using var picture = VideoFrame.Create(64, 48);
        sender.OnVideoFrame(LocalVideo, picture);
        var times = new List<TimeSpan>();
        rig.PipeA.Filter = d =>
        {
            if (d[1] == (byte)RtcpPacketType.SenderReport)
            {
                times.Add(rig.A.Now);
            }

            return true;
        };

        rig.Advance(TimeSpan.FromSeconds(20));

        // RFC 3550 §6.3 with a 1 s minimum: randomized over [0.5, 1.5] x 1 s, divided by e - 3/2.
        Assert.That(times.Count, Is.InRange(14, 45));
        var gaps = times.Zip(times.Skip(1), (a, b) => (b - a).TotalSeconds).ToList();
        Assert.That(gaps.Min(), Is.GreaterThanOrEqualTo(0.5 / (Math.E - 1.5) - 0.021));
        Assert.That(gaps.Max(), Is.LessThanOrEqualTo(1.5 / (Math.E - 1.5) + 0.021));
        Assert.That(rig.A.Reports.ReportsSent, Is.EqualTo(times.Count));

        // No time passes, no report goes.
        int before = times.Count;
        rig.Flush();
        Assert.That(times, Has.Count.EqualTo(before));
    }

    [Test]
    public async Task Receiver_asks_for_a_keyframe_at_start_and_after_an_incomplete_frame_rate_limited()
    {
        await using var rig = new MediaRig();
        var codec = new TestVideoCodec();
        var sender = rig.NewSender(rig.A, MediaKind.Video, "v", SenderSsrc, MediaRig.VideoSendConfig(codec, nack: false, rtxPt: null));
        var (rx, receiver) = MediaRig.NewReceiver(rig.B, MediaKind.Video, MediaRig.VideoReceiveConfig("v", codec, rtxPt: null, nack: false));
        rig.A.SetStreams([sender], []);
        rig.B.SetStreams([], [rx]);
        int index = 0;

        // Joining mid-stream: a delta frame first cannot be decoded; a PLI goes out on the next tick.
        SendEncoded(sender, TestVideoCodec.MakeFrame(index, false, 2500), index++, false);
        rig.Flush();
        Assert.That(rx.PliSent, Is.Zero);
        rig.Advance(TimeSpan.FromMilliseconds(20));
        Assert.That((rx.PliSent, sender.PliReceived), Is.EqualTo((1L, 1L)));

        // More delta frames within 300 ms: no second PLI yet.
        SendEncoded(sender, TestVideoCodec.MakeFrame(index, false, 2500), index++, false);
        rig.Advance(TimeSpan.FromMilliseconds(200));
        Assert.That(rx.PliSent, Is.EqualTo(1));
        rig.Advance(TimeSpan.FromMilliseconds(120));
        Assert.That(rx.PliSent, Is.EqualTo(2), "still no keyframe 300 ms later: asked again");

        // A keyframe: decoded, and the requests stop.
        SendEncoded(sender, TestVideoCodec.MakeFrame(index, true, 2500), index++, true);
        SendEncoded(sender, TestVideoCodec.MakeFrame(index, false, 2500), index++, false);
        rig.Advance(TimeSpan.FromSeconds(1));
        Assert.That((rx.PliSent, rx.FramesDecoded), Is.EqualTo((2L, 2L)));

        // A frame loses its middle packet (no NACK negotiated): after the stall timeout the hole is skipped,
        // the frame counts as dropped and one PLI goes out.
        int rtp = 0;
        rig.PipeA.Filter = d => d[1] is >= 192 and <= 223 || ++rtp != 2;
        SendEncoded(sender, TestVideoCodec.MakeFrame(index, false, 2500), index++, false);
        rig.PipeA.Filter = null;
        SendEncoded(sender, TestVideoCodec.MakeFrame(index, false, 2500), index++, false);
        long droppedBefore = rx.FramesDropped;
        rig.Advance(TimeSpan.FromMilliseconds(400));
        Assert.That(rx.FramesDropped, Is.GreaterThan(droppedBefore));
        Assert.That(rx.PliSent, Is.EqualTo(3));
        Assert.That(sender.PliReceived, Is.EqualTo(3));
    }

    [Test]
    public async Task Bye_mutes_the_remote_track_and_a_new_ssrc_restarts_the_stream()
    {
        await using var rig = new MediaRig();
        var codec = new TestVideoCodec();
        var (rx, receiver) = MediaRig.NewReceiver(rig.B, MediaKind.Video, MediaRig.VideoReceiveConfig("v", codec));
        rig.B.SetStreams([], [rx]);
        var frames = CollectFrames(receiver);
        rig.PipeB.Receiver!(MediaRig.Protect(rig.ForgeFromA, 96, 10, 1000, 0x10, Vp8Payload, "v", marker: true));
        Assert.That((frames.Count, receiver.Track.Muted), Is.EqualTo((1, false)));

        var bye = new byte[64];
        RtcpWriter.TryWriteReceiverReport(bye, 0x10, default, out int n);
        RtcpWriter.TryWriteBye(bye.AsSpan(n), [0x10u], default, out int w);
        rig.PipeB.Receiver!(MediaRig.ProtectRtcp(rig.ForgeFromA, bye.AsSpan(0, n + w)));
        Assert.That(receiver.Track.Muted, Is.True);

        // The remote restarts with a new SSRC and a sequence number far behind: a new stream, frames flow again.
        rig.PipeB.Receiver!(MediaRig.Protect(rig.ForgeFromA, 96, 60000, 5000, 0x11, Vp8Payload, "v", marker: true));
        rig.PipeB.Receiver!(MediaRig.Protect(rig.ForgeFromA, 96, 60001, 8000, 0x11, Vp8Payload, "v", marker: true));
        Assert.That((frames.Count, receiver.Track.Muted, rx.RemoteSsrc), Is.EqualTo((3, false, (uint?)0x11)));
        Assert.That(rig.B.DroppedPackets, Is.Zero);
    }

    [Test]
    public async Task Audio_new_ssrc_with_an_older_sequence_number_is_decoded_not_taken_for_late_packets()
    {
        await using var rig = new MediaRig();
        var info = WebRtc.Client.Codecs.CodecInfo.Audio("TEST", 8000, 1, new TestAudioCodec());
        var config = new ReceiveConfig("a", [new ReceiveCodec(0, info, 8000, 1, null, null)], MediaRig.MidId, 0, false, false, []);
        var (rx, receiver) = MediaRig.NewReceiver(rig.B, MediaKind.Audio, config);
        rig.B.SetStreams([], [rx]);
        int delivered = 0;
        receiver.Track.AudioFrameReceived += (_, f) => delivered++;
        byte[] payload = [0x10, 0x00, 0, 0, 0, 1];
        rig.PipeB.Receiver!(MediaRig.Protect(rig.ForgeFromA, 0, 30000, 0, 0x20, payload, "a"));
        rig.PipeB.Receiver!(MediaRig.Protect(rig.ForgeFromA, 0, 30001, 160, 0x20, payload, "a"));
        Assert.That(delivered, Is.EqualTo(2));

        // A new source (the remote restarted): its sequence numbers start anywhere.
        rig.PipeB.Receiver!(MediaRig.Protect(rig.ForgeFromA, 0, 100, 0, 0x21, payload, "a"));
        rig.PipeB.Receiver!(MediaRig.Protect(rig.ForgeFromA, 0, 101, 160, 0x21, payload, "a"));
        Assert.That(delivered, Is.EqualTo(4), "both packets of the new SSRC decoded, no concealment across sources");
        Assert.That(rx.ConcealedSamples, Is.Zero);
    }
}
