using WebRtc.Client.Packetization;

namespace WebRtc.Client.Tests.Rtp;

public class PayloadFormatTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    internal static List<byte[]> Packetize(IRtpPacketizer packetizer, byte[] frame, int mtu)
    {
        var output = new byte[frame.Length + 4096 + (frame.Length / 4)];
        var lengths = new int[frame.Length + 16];
        Assert.That(packetizer.TryPacketize(frame, mtu, output, lengths, out int count), Is.True);
        var list = new List<byte[]>();
        int position = 0;
        for (int i = 0; i < count; i++)
        {
            Assert.That(lengths[i], Is.InRange(1, mtu));
            list.Add(output.AsSpan(position, lengths[i]).ToArray());
            position += lengths[i];
        }

        return list;
    }

    internal static byte[] Depacketize(IRtpDepacketizer depacketizer, List<byte[]> payloads)
    {
        var frame = new byte[payloads.Sum(p => p.Length) * 2 + 64];
        int length = 0;
        foreach (var payload in payloads)
        {
            Assert.That(depacketizer.TryAppend(payload, frame.AsSpan(length), out int written), Is.True);
            length += written;
        }

        return frame[..length];
    }

    internal static byte[] Vp9KeyFrameHeader(int width, int height, int extra, Random random)
    {
        // VP9 bitstream §6.2: frame_marker=2, profile 0, show_existing=0, frame_type=0 (key), show_frame=1,
        // error_resilient=0, sync code 0x498342, color_space=2 + color_range=0, width-1, height-1.
        var bits = new List<int>();
        void Put(int value, int count)
        {
            for (int i = count - 1; i >= 0; i--)
            {
                bits.Add((value >> i) & 1);
            }
        }

        Put(2, 2); Put(0, 2); Put(0, 1); Put(0, 1); Put(1, 1); Put(0, 1); Put(0x498342, 24); Put(2, 3); Put(0, 1);
        Put(width - 1, 16); Put(height - 1, 16);
        var bytes = new byte[((bits.Count + 7) / 8) + extra];
        for (int i = 0; i < bits.Count; i++)
        {
            bytes[i / 8] |= (byte)(bits[i] << (7 - (i % 8)));
        }

        random.NextBytes(bytes.AsSpan((bits.Count + 7) / 8));
        return bytes;
    }

    [Test]
    public void Vp8_descriptor_with_every_optional_field()
    {
        // RFC 7741 §4.2: X=1 S=1 PID=0 | I L T K | M=1 PictureID=0x0123 | TL0PICIDX=5 | TID=2 Y=1 KEYIDX=3 | VP8 header (P=0).
        var payload = Hex("90 F0 8123 05 A3 10 AA");
        Assert.That(Vp8PayloadDescriptor.TryParse(payload, out var d), Is.True);
        Assert.That((d.StartOfPartition, d.PartitionIndex, d.PictureId, d.LongPictureId, d.Tl0PicIdx, d.TemporalId, d.LayerSync, d.KeyIndex, d.Length),
            Is.EqualTo((true, 0, 0x0123, true, 5, 2, true, 3, 6)));
        var vp8 = new Vp8Packetizer();
        Assert.That(vp8.TryGetInfo(payload, out var info) && info.IsKeyFrame && info.IsFrameStart, Is.True);
        Assert.That(vp8.TryGetInfo(Hex("90 80 05 11"), out info) && info.IsFrameStart && !info.IsKeyFrame, Is.True); // 7-bit PictureID, P=1
        Assert.That(vp8.TryGetInfo(Hex("80 80 05 10"), out info) && !info.IsFrameStart, Is.True);
        Assert.That(vp8.TryGetInfo(Hex("90 80"), out _), Is.False);
        Assert.That(vp8.TryGetInfo(Hex("90"), out _), Is.False);
    }

    [Test]
    public void Vp8_round_trips_random_frames_and_mtus([Values(1, 2)] int seed)
    {
        var random = new Random(seed);
        var vp8 = new Vp8Packetizer(0x7FFE);
        for (int round = 0; round < 200; round++)
        {
            var frame = new byte[random.Next(1, 30_000)];
            random.NextBytes(frame);
            frame[0] &= 0xFE; // a keyframe header bit
            int mtu = random.Next(20, 1400);
            int pictureId = vp8.PictureId;
            var payloads = Packetize(vp8, frame, mtu);
            Assert.That(payloads, Has.Count.EqualTo((frame.Length + mtu - 5) / (mtu - 4)));
            for (int i = 0; i < payloads.Count; i++)
            {
                Assert.That(Vp8PayloadDescriptor.TryParse(payloads[i], out var d), Is.True);
                Assert.That((d.StartOfPartition, d.PictureId), Is.EqualTo((i == 0, pictureId)));
                Assert.That(vp8.TryGetInfo(payloads[i], out var info) && info.IsKeyFrame == (i == 0), Is.True);
            }

            Assert.That(Depacketize(vp8, payloads), Is.EqualTo(frame));
        }

        Assert.That(vp8.PictureId, Is.EqualTo((0x7FFE + 200) & 0x7FFF));
    }

    [Test]
    public void Vp9_flexible_descriptor_with_references_and_layers()
    {
        // RFC 9628 §4.2: I P L F B E V Z = 1 1 1 1 1 0 0 0; M=1 PictureID=0x1234; TID=1 U=0 SID=1 D=0; P_DIFF=3 (N=1), P_DIFF=1 (N=0).
        var payload = Hex("F8 9234 22 07 02 AB");
        Assert.That(Vp9PayloadDescriptor.TryParse(payload, out var d), Is.True);
        Assert.That((d.PictureId, d.TemporalId, d.SpatialId, d.FlexibleMode, d.StartOfFrame, d.Length), Is.EqualTo((0x1234, 1, 1, true, true, 6)));
        // Non-flexible with TL0PICIDX and a scalability structure (N_S=1, Y=1, G=1 with one group of 1 reference).
        payload = Hex("AA 05 20 09 38 0280 0168 0280 0168 01 14 01 CC");
        Assert.That(Vp9PayloadDescriptor.TryParse(payload, out d), Is.True);
        Assert.That((d.PictureId, d.Tl0PicIdx, d.SpatialLayers, d.HasScalabilityStructure, d.Length), Is.EqualTo((5, 9, 2, true, 16)));
        Assert.That(new Vp9Packetizer().TryGetInfo(payload, out var info) && info.IsKeyFrame, Is.True);
        Assert.That(Vp9PayloadDescriptor.TryParse(Hex("F0 92"), out _), Is.False);
        Assert.That(Vp9PayloadDescriptor.TryParse(Hex("D8 92 34 03 03 03 03 AA"), out _), Is.False);
    }

    [Test]
    public void Vp9_round_trips_keyframes_with_resolution_and_delta_frames([Values(1, 2)] int seed)
    {
        var random = new Random(seed);
        var vp9 = new Vp9Packetizer();
        for (int round = 0; round < 100; round++)
        {
            bool key = round % 5 == 0;
            byte[] frame;
            if (key)
            {
                frame = Vp9KeyFrameHeader(640, 360, random.Next(0, 20_000), random);
                Assert.That(Vp9Packetizer.TryReadKeyFrame(frame, out int w, out int h) && w == 640 && h == 360, Is.True);
            }
            else
            {
                frame = new byte[random.Next(1, 20_000)];
                random.NextBytes(frame);
                frame[0] = (byte)(0x86 | (frame[0] & 0x01)); // frame_marker 2, profile 0, non-key
            }

            var payloads = Packetize(vp9, frame, random.Next(30, 1300));
            for (int i = 0; i < payloads.Count; i++)
            {
                Assert.That(Vp9PayloadDescriptor.TryParse(payloads[i], out var d), Is.True);
                Assert.That((d.StartOfFrame, d.EndOfFrame, d.HasScalabilityStructure), Is.EqualTo((i == 0, i == payloads.Count - 1, key && i == 0)));
                Assert.That(vp9.TryGetInfo(payloads[i], out var info) && info.IsKeyFrame == (key && i == 0), Is.True);
            }

            Assert.That(Depacketize(vp9, payloads), Is.EqualTo(frame));
        }
    }

    internal static byte[] AnnexB(params byte[][] nals) => nals.SelectMany(n => new byte[] { 0, 0, 0, 1 }.Concat(n)).ToArray();

    private static byte[] Nal(byte header, int length, Random random)
    {
        var nal = new byte[length];
        random.NextBytes(nal);
        nal[0] = header;
        nal[^1] |= 1; // rbsp_stop_one_bit: a NAL never ends in zero
        return nal;
    }

    [Test]
    public void H264_stap_a_from_rfc6184_figure()
    {
        // RFC 6184 §5.7.1 Figure 7: STAP-A header, NALU 1 size + data, NALU 2 size + data.
        var payload = Hex("78 0004 6742E01F 0003 68CE38");
        var h264 = new H264Packetizer();
        Assert.That(h264.TryGetInfo(payload, out var info) && info.IsKeyFrame && info.IsFrameStart, Is.True);
        Assert.That(Depacketize(h264, [payload]), Is.EqualTo(Hex("00000001 6742E01F 00000001 68CE38")));
        Assert.That(h264.TryGetInfo(Hex("78 0009 6742"), out _), Is.False);
        Assert.That(h264.TryGetInfo(Hex("7C 05"), out _), Is.False);
        // RFC 6184 §5.8: FU-A indicator (F NRI type 28), header S=1 type 5.
        Assert.That(h264.TryGetInfo(Hex("7C 85 AABB"), out info) && info.IsKeyFrame && info.IsFrameStart, Is.True);
        Assert.That(h264.TryGetInfo(Hex("7C 45 AABB"), out info) && !info.IsFrameStart, Is.True);
    }

    [Test]
    public void H264_mode_1_aggregates_parameter_sets_and_fragments_the_idr([Values(1, 2)] int seed)
    {
        var random = new Random(seed);
        var h264 = new H264Packetizer(1);
        for (int round = 0; round < 100; round++)
        {
            int mtu = random.Next(100, 1300);
            var sps = Nal(0x67, random.Next(8, 20), random);
            var pps = Nal(0x68, random.Next(3, 8), random);
            var idr = Nal(0x65, random.Next(1, 40_000), random);
            var sei = Nal(0x06, random.Next(2, 30), random);
            var au = AnnexB(sps, pps, sei, idr);
            var payloads = Packetize(h264, au, mtu);
            Assert.That(payloads[0][0] & 0x1F, Is.EqualTo(24), "SPS/PPS go in a STAP-A");
            Assert.That(h264.TryGetInfo(payloads[0], out var info) && info.IsKeyFrame, Is.True);
            Assert.That(Depacketize(h264, payloads), Is.EqualTo(au));

            var p = Nal(0x41, random.Next(1, 5000), random);
            payloads = Packetize(h264, AnnexB(p), mtu);
            Assert.That(payloads.All(x => h264.TryGetInfo(x, out var i) && !i.IsKeyFrame), Is.True);
            Assert.That(Depacketize(h264, payloads), Is.EqualTo(AnnexB(p)));
        }
    }

    [Test]
    public void H264_mode_0_sends_single_nal_units_and_refuses_oversized_ones()
    {
        var random = new Random(5);
        var h264 = new H264Packetizer(0);
        var au = AnnexB(Nal(0x67, 10, random), Nal(0x68, 4, random), Nal(0x65, 900, random));
        var payloads = Packetize(h264, au, 1000);
        Assert.That(payloads.Select(x => x[0] & 0x1F), Is.EqualTo(new[] { 7, 8, 5 }));
        Assert.That(Depacketize(h264, payloads), Is.EqualTo(au));
        Assert.That(h264.TryPacketize(au, 500, new byte[4000], new int[10], out _), Is.False);
    }

    [Test]
    public void H264_accepts_three_byte_start_codes()
    {
        var au = Hex("000001 6742E01F 000001 68CE38 00000001 65888480");
        var h264 = new H264Packetizer();
        Assert.That(Depacketize(h264, Packetize(h264, au, 1200)), Is.EqualTo(Hex("00000001 6742E01F 00000001 68CE38 00000001 65888480")));
    }

    [TestCase("42e01f", H264Profile.ConstrainedBaseline, 31)]
    [TestCase("42001f", H264Profile.Baseline, 31)]
    [TestCase("4d001f", H264Profile.Main, 31)]
    [TestCase("640c1f", H264Profile.ConstrainedHigh, 31)]
    [TestCase("640032", H264Profile.High, 50)]
    [TestCase("42f00b", H264Profile.ConstrainedBaseline, H264ProfileLevelId.Level1b)]
    public void Profile_level_id_parses(string value, H264Profile profile, int level)
    {
        Assert.That(H264ProfileLevelId.TryParse(value, out var id), Is.True);
        Assert.That((id.Profile, (int)id.LevelIdc), Is.EqualTo((profile, level)));
        Assert.That(id.ToString(), Is.EqualTo(value));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("42e01")]
    [TestCase("zze01f")]
    [TestCase("12e01f")]
    [TestCase("42e000")]
    public void Profile_level_id_refuses_garbage(string? value)
    {
        Assert.That(H264ProfileLevelId.TryParse(value, out _), Is.False);
    }

    [Test]
    public void Audio_formats_carry_one_frame_per_packet()
    {
        var audio = new AudioPacketizer();
        var frame = new byte[160];
        new Random(1).NextBytes(frame);
        var payloads = Packetize(audio, frame, 1200);
        Assert.That(payloads, Has.Count.EqualTo(1));
        Assert.That(Depacketize(audio, payloads), Is.EqualTo(frame));
        Assert.That(audio.TryPacketize(new byte[1300], 1200, new byte[2000], new int[2], out _), Is.False);
        // RFC 3551 §4.5.2: G.722's RTP clock is 8000 Hz; 20 ms = 160 bytes at 64 kbit/s = 160 ticks.
        Assert.That(AudioPacketizer.G722ClockRate, Is.EqualTo(8000));
        Assert.That(AudioPacketizer.TimestampIncrement(160), Is.EqualTo(160u));
        Assert.That(AudioPacketizer.OpusTimestampIncrement(TimeSpan.FromMilliseconds(20)), Is.EqualTo(960u));
    }

    [Test]
    public void Depacketizers_survive_random_and_mutated_payloads()
    {
        var random = new Random(77);
        var seeds = new List<byte[]>();
        seeds.AddRange(Packetize(new Vp8Packetizer(), new byte[3000], 1200));
        seeds.AddRange(Packetize(new Vp9Packetizer(), Vp9KeyFrameHeader(320, 240, 3000, random), 1200));
        seeds.AddRange(Packetize(new H264Packetizer(), AnnexB(Nal(0x67, 12, random), Nal(0x68, 4, random), Nal(0x65, 3000, random)), 1200));
        seeds.Add(Hex("F8 9234 22 07 02 AB"));
        seeds.Add(Hex("AA 05 20 09 38 0280 0168 0280 0168 01 14 01 CC"));
        seeds.Add(Hex("90 F0 8123 05 A3 10 AA"));
        IRtpDepacketizer[] depacketizers = [new Vp8Packetizer(), new Vp9Packetizer(), new H264Packetizer(), new AudioPacketizer()];
        var destination = new byte[4000];
        int accepted = 0;
        for (int i = 0; i < 30_000; i++)
        {
            byte[] payload;
            if (i % 2 == 0)
            {
                payload = new byte[random.Next(0, 40)];
                random.NextBytes(payload);
            }
            else
            {
                var seed = seeds[random.Next(seeds.Count)];
                payload = seed[..random.Next(seed.Length + 1)];
                for (int m = random.Next(1, 4); m > 0 && payload.Length > 0; m--)
                {
                    payload[random.Next(payload.Length)] = (byte)random.Next(256);
                }
            }

            foreach (var d in depacketizers)
            {
                if (d.TryGetInfo(payload, out _))
                {
                    accepted++;
                }

                d.TryAppend(payload, destination.AsSpan(0, random.Next(destination.Length)), out int written);
                Assert.That(written, Is.LessThanOrEqualTo(destination.Length));
            }
        }

        Assert.That(accepted, Is.GreaterThan(10_000));
    }
}
