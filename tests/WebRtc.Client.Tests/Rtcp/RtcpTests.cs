using System.Text;
using WebRtc.Client.Rtcp;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Tests.Rtcp;

public class RtcpTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    private static RtcpPacket Single(byte[] data)
    {
        Assert.That(RtcpPacket.TryParse(data, out var packet, out int length, out var error), Is.True, error.ToString());
        Assert.That(length, Is.EqualTo(data.Length));
        return packet;
    }

    [Test]
    public void Sender_report_with_a_block_reads_every_field()
    {
        // RFC 3550 §6.4.1: SR, RC=1, length 12 words.
        var data = Hex("81C8000C 11111111 E0000000 80000000 00001000 00000064 00002710"
                     + "22222222 40FFFFFE 0001ABCD 00000020 E0000000 00010000");
        var packet = Single(data);
        Assert.That(RtcpSenderReport.TryParse(packet, out var sr, out _), Is.True);
        Assert.That(sr.Ssrc, Is.EqualTo(0x11111111u));
        Assert.That(sr.NtpTime.Seconds, Is.EqualTo(0xE0000000u));
        Assert.That(sr.NtpTime.Fraction, Is.EqualTo(0x80000000u));
        Assert.That(sr.RtpTimestamp, Is.EqualTo(0x1000u));
        Assert.That(sr.PacketCount, Is.EqualTo(100u));
        Assert.That(sr.OctetCount, Is.EqualTo(10000u));
        Assert.That(sr.ReportCount, Is.EqualTo(1));
        var block = sr.GetReport(0);
        Assert.That(block, Is.EqualTo(new RtcpReportBlock(0x22222222, 0x40, -2, 0x0001ABCD, 32, 0xE0000000, 0x00010000)));

        Span<byte> again = stackalloc byte[100];
        Assert.That(RtcpWriter.TryWriteSenderReport(again, sr.Ssrc, sr.NtpTime, sr.RtpTimestamp, sr.PacketCount, sr.OctetCount, [block], out int n), Is.True);
        Assert.That(again[..n].ToArray(), Is.EqualTo(data));
    }

    [Test]
    public void Rtt_from_report_block_follows_rfc3550_example()
    {
        // RFC 3550 §6.4.1 figure: A=0xb710:8000 (46864.500 s), LSR=0xb705:2000 (46853.125 s), DLSR=0x0005:4000 (5.250 s) -> 6.125 s.
        var block = new RtcpReportBlock(1, 0, 0, 0, 0, 0xB7052000, 0x00054000);
        Assert.That(block.GetRoundTripTime(0xB7108000), Is.EqualTo(TimeSpan.FromSeconds(6.125)));
        Assert.That(block with { LastSenderReport = 0 }, Has.Property(nameof(RtcpReportBlock.LastSenderReport)).EqualTo(0u));
        Assert.That((block with { LastSenderReport = 0 }).GetRoundTripTime(0xB7108000), Is.Null);
        Assert.That(block.GetRoundTripTime(0xB7050000), Is.Null);
        var dlrr = new RtcpDlrrItem(1, 0xB7052000, 0x00054000);
        Assert.That(dlrr.GetRoundTripTime(0xB7108000), Is.EqualTo(TimeSpan.FromSeconds(6.125)));
    }

    [Test]
    public void Compound_sr_sdes_remb_iterates_and_round_trips()
    {
        var buffer = new byte[300];
        int n = 0;
        Assert.That(RtcpWriter.TryWriteSenderReport(buffer, 7, new NtpTime(0x0102030405060708), 90000, 10, 1000, [], out int w), Is.True);
        n += w;
        Assert.That(RtcpWriter.TryWriteSdesCname(buffer.AsSpan(n), 7, "user@example.com"u8, out w), Is.True);
        n += w;
        Assert.That(RtcpWriter.TryWriteRemb(buffer.AsSpan(n), 7, 1_500_000, [0xAAAA, 0xBBBB], out w), Is.True);
        n += w;
        var compound = buffer.AsSpan(0, n);
        Assert.That(RtcpCompoundEnumerator.Validate(compound, out var error), Is.True, error.ToString());

        var types = new List<RtcpPacketType>();
        foreach (var packet in new RtcpCompoundEnumerator(compound))
        {
            types.Add(packet.Type);
            switch (packet.Type)
            {
                case RtcpPacketType.SourceDescription:
                    Assert.That(RtcpSdes.TryParse(packet, out var sdes, out _) && sdes.TryGetCname(7, out var cname), Is.True);
                    Assert.That(RtcpSdes.TryParse(packet, out sdes, out _) && sdes.TryGetCname(7, out cname) && cname.SequenceEqual("user@example.com"u8), Is.True);
                    break;
                case RtcpPacketType.PayloadFeedback:
                    Assert.That(RtcpFeedback.TryParse(packet, out var fb, out _), Is.True);
                    Assert.That(fb.TryGetRemb(out ulong bitrate, out var ssrcs), Is.True);
                    Assert.That(bitrate, Is.EqualTo(1_500_000UL));
                    Assert.That(ssrcs.Length, Is.EqualTo(8));
                    break;
            }
        }

        Assert.That(types, Is.EqualTo(new[] { RtcpPacketType.SenderReport, RtcpPacketType.SourceDescription, RtcpPacketType.PayloadFeedback }));
    }

    [Test]
    public void Remb_mantissa_and_exponent_match_the_draft()
    {
        // draft-alvestrand-rmcat-remb-03 §2.2: BR Exp (6 bits), BR Mantissa (18 bits); 0x3FFFF << 2.
        var data = Hex("8FCE0005 00000001 00000000 52454D42 010BFFFF 12345678");
        Assert.That(RtcpFeedback.TryParse(Single(data), out var fb, out _) && fb.TryGetRemb(out ulong bitrate, out _), Is.True);
        Assert.That(RtcpFeedback.TryParse(Single(data), out fb, out _) && fb.TryGetRemb(out bitrate, out _) && bitrate == (0x3FFFFUL << 2), Is.True);
        var again = new byte[data.Length];
        Assert.That(RtcpWriter.TryWriteRemb(again, 1, 0x3FFFFUL << 2, [0x12345678], out _), Is.True);
        Assert.That(again, Is.EqualTo(data));
    }

    [Test]
    public void Sdes_with_several_chunks_round_trips()
    {
        // RFC 3550 §6.5: chunk = SSRC + items + null terminator padded to 32 bits.
        var buffer = new byte[200];
        var writer = new RtcpSdesWriter(buffer);
        Assert.That(writer.TryAddChunk(1) && writer.TryAddItem(RtcpSdesType.Cname, "abc"u8) && writer.TryAddItem(RtcpSdesType.Tool, "x"u8), Is.True);
        Assert.That(writer.TryAddChunk(2) && writer.TryAddItem(RtcpSdesType.Cname, "defg"u8), Is.True);
        Assert.That(writer.TryFinish(out int n), Is.True);
        var data = buffer.AsSpan(0, n).ToArray();
        Assert.That(data[..4], Is.EqualTo(Hex("82CA0007")));

        Assert.That(RtcpSdes.TryParse(Single(data), out var sdes, out _), Is.True);
        var items = new List<(uint, RtcpSdesType, string)>();
        foreach (var item in sdes.Items)
        {
            items.Add((item.Ssrc, item.Type, Encoding.UTF8.GetString(item.Text)));
        }

        Assert.That(items, Is.EqualTo(new[] { (1u, RtcpSdesType.Cname, "abc"), (1u, RtcpSdesType.Tool, "x"), (2u, RtcpSdesType.Cname, "defg") }));
    }

    [Test]
    public void Receiver_report_bye_and_app_round_trip()
    {
        var buffer = new byte[200];
        var blocks = new[] { new RtcpReportBlock(9, 1, 0x7FFFFF, 65536 + 7, 3, 4, 5), new RtcpReportBlock(10, 255, -0x800000, 1, 2, 3, 4) };
        Assert.That(RtcpWriter.TryWriteReceiverReport(buffer, 8, blocks, out int n), Is.True);
        Assert.That(RtcpReceiverReport.TryParse(Single(buffer[..n]), out var rr, out _), Is.True);
        Assert.That(rr.Ssrc, Is.EqualTo(8u));
        Assert.That(new[] { rr.GetReport(0), rr.GetReport(1) }, Is.EqualTo(blocks));

        Assert.That(RtcpWriter.TryWriteBye(buffer, [1, 2], "bye"u8, out n), Is.True);
        Assert.That(n, Is.EqualTo(16));
        Assert.That(RtcpBye.TryParse(Single(buffer[..n]), out var bye, out _), Is.True);
        Assert.That((bye.SourceCount, bye.GetSource(1), Encoding.ASCII.GetString(bye.Reason)), Is.EqualTo((2, 2u, "bye")));

        Assert.That(RtcpWriter.TryWriteApp(buffer, 3, 77, "TEST"u8, [1, 2, 3, 4], out n), Is.True);
        Assert.That(RtcpApp.TryParse(Single(buffer[..n]), out var app, out _), Is.True);
        Assert.That((app.Subtype, app.Ssrc, Encoding.ASCII.GetString(app.Name), app.Data.Length), Is.EqualTo((3, 77u, "TEST", 4)));
    }

    [Test]
    public void Nack_packs_following_losses_into_the_bitmask()
    {
        // RFC 4585 §6.2.1: PID=100, BLP bit i means PID+i+1 lost.
        var buffer = new byte[100];
        ushort[] lost = [100, 101, 105, 116, 117, 65535, 2];
        Assert.That(RtcpWriter.TryWriteNack(buffer, 1, 2, lost, out int n), Is.True);
        var data = buffer[..n];
        Assert.That(data, Is.EqualTo(Hex("81CD0005 00000001 00000002 00648011 00750000 FFFF0004")));
        Assert.That(RtcpFeedback.TryParse(Single(data), out var fb, out _), Is.True);
        Assert.That(fb.NackItemCount, Is.EqualTo(3));
        var seen = new List<int>();
        foreach (ushort seq in fb.LostSequenceNumbers)
        {
            seen.Add(seq);
        }

        Assert.That(seen, Is.EqualTo(lost.Select(x => (int)x)));
    }

    [Test]
    public void Pli_and_fir()
    {
        var buffer = new byte[100];
        Assert.That(RtcpWriter.TryWritePli(buffer, 1, 2, out int n), Is.True);
        Assert.That(buffer[..n], Is.EqualTo(Hex("81CE0002 00000001 00000002")));
        Assert.That(RtcpFeedback.TryParse(Single(buffer[..n]), out var fb, out _) && fb.IsPictureLossIndication, Is.True);

        // RFC 5104 §4.3.1.1: FCI = SSRC, Seq nr, 24 reserved bits.
        Assert.That(RtcpWriter.TryWriteFir(buffer, 1, [(0xABCD, 7)], out n), Is.True);
        Assert.That(buffer[..n], Is.EqualTo(Hex("84CE0004 00000001 00000000 0000ABCD 07000000")));
        Assert.That(RtcpFeedback.TryParse(Single(buffer[..n]), out fb, out _) && fb.FirEntryCount == 1 && fb.GetFirEntry(0) == (0xABCD, 7), Is.True);
    }

    [Test]
    public void Xr_rrtr_and_dlrr_round_trip()
    {
        var buffer = new byte[100];
        var items = new[] { new RtcpDlrrItem(5, 0x10000, 0x8000), new RtcpDlrrItem(6, 7, 8) };
        Assert.That(RtcpWriter.TryWriteExtendedReport(buffer, 3, new NtpTime(0x1122334455667788), items, out int n), Is.True);
        // RFC 3611 §4.4/§4.5: BT=4 length 2, BT=5 length 3 per sub-block.
        Assert.That(buffer[..16], Is.EqualTo(Hex("80CF000B 00000003 04000002 11223344")));
        Assert.That(RtcpExtendedReport.TryParse(Single(buffer[..n]), out var xr, out _), Is.True);
        int blocks = 0;
        foreach (var block in xr.Blocks)
        {
            blocks++;
            if (block.TryGetReceiverReferenceTime(out var time))
            {
                Assert.That(time.Value, Is.EqualTo(0x1122334455667788UL));
            }
            else
            {
                Assert.That(new[] { block.GetDlrr(0), block.GetDlrr(1) }, Is.EqualTo(items));
            }
        }

        Assert.That(blocks, Is.EqualTo(2));
        Assert.That(xr.Ssrc, Is.EqualTo(3u));
    }

    [Test]
    public void Twcc_example_chunks_from_the_draft()
    {
        // draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1.3: run-length chunk 0|01|0000011011101
        // = 221 packets received with small deltas; §3.1.4: 1|1|00 01 10 00 00 00 00 is a 2-bit vector
        // (not received, small, large, then padding symbols past the count).
        var data = Hex("8FCD0000 00000001 00000002").Concat(Hex("0005 00E0 000001 07 20DD C600"))
            .Concat(Enumerable.Repeat((byte)4, 221)).Concat(Hex("00 FFF6")).ToArray();
        int words = data.Length / 4 - 1;
        data[2] = (byte)(words >> 8);
        data[3] = (byte)words;
        Assert.That(RtcpTransportFeedback.TryParse(Single(data), out var fb, out var error), Is.True, error.ToString());
        Assert.That((fb.BaseSequenceNumber, fb.PacketStatusCount, fb.ReferenceTime, fb.FeedbackPacketCount), Is.EqualTo(((ushort)5, 224, 1, (byte)7)));
        var packets = new List<RtcpTwccPacket>();
        foreach (var p in fb.Packets)
        {
            packets.Add(p);
        }

        Assert.That(packets, Has.Count.EqualTo(224));
        Assert.That(packets.Take(221).All(p => p.Status == RtcpTwccStatus.SmallDelta && p.Delta == 4), Is.True);
        Assert.That(packets[221], Is.EqualTo(new RtcpTwccPacket(226, RtcpTwccStatus.NotReceived, 0)));
        Assert.That(packets[222], Is.EqualTo(new RtcpTwccPacket(227, RtcpTwccStatus.SmallDelta, 0)));
        Assert.That(packets[223], Is.EqualTo(new RtcpTwccPacket(228, RtcpTwccStatus.LargeDelta, -10)));
    }

    [Test]
    public void Twcc_random_feedback_round_trips_bit_exactly([Values(1, 2, 3)] int seed)
    {
        var random = new Random(seed);
        var buffer = new byte[4000];
        var again = new byte[4000];
        for (int round = 0; round < 300; round++)
        {
            int count = random.Next(1, 400);
            var arrivals = new long[count];
            long t = random.NextInt64(0, 1L << 36);
            for (int i = 0; i < count; i++)
            {
                t += random.Next(10) == 0 ? random.Next(-5000, 80_000) : random.Next(0, 3000);
                arrivals[i] = random.Next(8) == 0 ? -1 : Math.Max(t, 0);
            }

            ushort baseSeq = (ushort)random.Next(65536);
            var packets = new RtcpTwccPacket[count];
            Assert.That(RtcpTransportFeedback.TryComputeDeltas(baseSeq, arrivals, packets, out int reference), Is.True);
            Assert.That(RtcpWriter.TryWriteTransportFeedback(buffer, 1, 2, reference, (byte)round, packets, out int n), Is.True);
            Assert.That(n % 4, Is.Zero);
            Assert.That(RtcpTransportFeedback.TryParse(Single(buffer[..n]), out var fb, out var error), Is.True, error.ToString());
            var parsed = new List<RtcpTwccPacket>();
            foreach (var p in fb.Packets)
            {
                parsed.Add(p);
            }

            Assert.That(parsed, Is.EqualTo(packets));
            Assert.That(fb.ReferenceTime, Is.EqualTo(reference));
            Assert.That(RtcpWriter.TryWriteTransportFeedback(again, fb.SenderSsrc, fb.MediaSsrc, fb.ReferenceTime, fb.FeedbackPacketCount, parsed.ToArray(), out int m), Is.True);
            Assert.That(again[..m], Is.EqualTo(buffer[..n]));

            // The arrival times come back from the reference time and the deltas (250 us resolution).
            long tick = reference * 256L;
            for (int i = 0; i < count; i++)
            {
                if (arrivals[i] >= 0)
                {
                    tick += parsed[i].Delta;
                    Assert.That(tick, Is.EqualTo(arrivals[i] / 250));
                }
            }
        }
    }

    [TestCase("81C80006 00000001 0000000000000000 00000000 00000000 00000000", RtcpParseError.BadCount)]
    [TestCase("80C80005 00000001 0000000000000000 00000000 00000000", RtcpParseError.TooShort)]
    [TestCase("80C90000", RtcpParseError.TooShort)]
    [TestCase("81CA0002 00000001 01050000", RtcpParseError.Malformed)]
    [TestCase("81CB0000", RtcpParseError.BadCount)]
    [TestCase("80CB0001 04616263", RtcpParseError.Malformed)]
    [TestCase("80CF0002 00000001 04000005", RtcpParseError.Malformed)]
    [TestCase("8FCD0004 00000001 00000002 0000FFFF 00000000", RtcpParseError.BadCount)]
    [TestCase("8FCD0005 00000001 00000002 00000005 00000000 00000000", RtcpParseError.Malformed)]
    public void Malformed_packets_are_refused(string hex, RtcpParseError expected)
    {
        var packet = Single(Hex(hex));
        RtcpParseError error = packet.Type switch
        {
            RtcpPacketType.SenderReport => RtcpSenderReport.TryParse(packet, out _, out var e) ? RtcpParseError.None : e,
            RtcpPacketType.ReceiverReport => RtcpReceiverReport.TryParse(packet, out _, out var e) ? RtcpParseError.None : e,
            RtcpPacketType.SourceDescription => RtcpSdes.TryParse(packet, out _, out var e) ? RtcpParseError.None : e,
            RtcpPacketType.Bye => RtcpBye.TryParse(packet, out _, out var e) ? RtcpParseError.None : e,
            RtcpPacketType.ExtendedReport => RtcpExtendedReport.TryParse(packet, out _, out var e) ? RtcpParseError.None : e,
            RtcpPacketType.TransportFeedback => RtcpTransportFeedback.TryParse(packet, out _, out var e) ? RtcpParseError.None : e,
            _ => RtcpParseError.None,
        };
        Assert.That(error, Is.EqualTo(expected));
    }

    [TestCase("50C90001 00000001", RtcpParseError.BadVersion)]
    [TestCase("80C90005 00000001", RtcpParseError.BadLength)]
    [TestCase("A0C90001 00000000", RtcpParseError.BadPadding)]
    [TestCase("80C9", RtcpParseError.TooShort)]
    public void Malformed_headers_are_refused(string hex, RtcpParseError expected)
    {
        Assert.That(RtcpCompoundEnumerator.Validate(Hex(hex), out var error), Is.False);
        Assert.That(error, Is.EqualTo(expected));
    }
}
