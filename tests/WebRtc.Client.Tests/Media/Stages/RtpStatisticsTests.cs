using WebRtc.Client.Media.Stages;
using WebRtc.Client.Rtcp;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Tests.Media.Stages;

public class RtpReceiveStatisticsTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Test]
    public void In_order_packets_are_counted_without_loss()
    {
        var stats = new RtpReceiveStatistics(0x1234, 90000);
        for (int i = 0; i < 100; i++)
        {
            Assert.That(stats.OnPacket((ushort)(1000 + i), (uint)(i * 3000), Ms(i * 33.3), 1000), Is.True);
        }

        var block = stats.CreateReportBlock(Ms(4000));
        Assert.Multiple(() =>
        {
            Assert.That(stats.PacketsReceived, Is.EqualTo(100));
            Assert.That(stats.BytesReceived, Is.EqualTo(100_000));
            Assert.That(stats.PacketsLost, Is.Zero);
            Assert.That(stats.HighestSequence, Is.EqualTo(1099u));
            Assert.That(block.Ssrc, Is.EqualTo(0x1234u));
            Assert.That(block.FractionLost, Is.Zero);
            Assert.That(block.CumulativeLost, Is.Zero);
            Assert.That(block.ExtendedHighestSequence, Is.EqualTo(1099u));
            Assert.That(block.LastSenderReport, Is.Zero);
            Assert.That(block.DelaySinceLastSenderReport, Is.Zero);
        });
    }

    [Test]
    public void Loss_gives_cumulative_and_fraction_per_interval()
    {
        var stats = new RtpReceiveStatistics(1, 8000);
        for (int i = 0; i < 10; i++)
        {
            if (i is not (3 or 4))
            {
                stats.OnPacket((ushort)i, (uint)(i * 160), Ms(i * 20), 160);
            }
        }

        // RFC 3550 A.3: fraction = (lost_interval << 8) / expected_interval.
        var first = stats.CreateReportBlock(Ms(200));
        Assert.That(first.CumulativeLost, Is.EqualTo(2));
        Assert.That(first.FractionLost, Is.EqualTo((2 << 8) / 10));

        for (int i = 10; i < 20; i++)
        {
            stats.OnPacket((ushort)i, (uint)(i * 160), Ms(i * 20), 160);
        }

        // The next interval lost nothing: its fraction is 0 while the cumulative count stays.
        var second = stats.CreateReportBlock(Ms(400));
        Assert.That(second.FractionLost, Is.Zero);
        Assert.That(second.CumulativeLost, Is.EqualTo(2));
        Assert.That(stats.LastFractionLost, Is.Zero);
    }

    [Test]
    public void Sequence_wrap_counts_a_cycle()
    {
        var stats = new RtpReceiveStatistics(1, 90000);
        for (int i = 0; i < 12; i++)
        {
            stats.OnPacket((ushort)(65530 + i), 0, Ms(i), 100);
        }

        // RFC 3550 §6.4.1: the extended highest sequence number carries the cycle count in its high 16 bits.
        Assert.That(stats.HighestSequence, Is.EqualTo(0x10005u));
        Assert.That(stats.PacketsLost, Is.Zero);
        Assert.That(stats.PacketsExpected, Is.EqualTo(12));
    }

    [Test]
    public void Reordered_packet_across_wrap_does_not_add_a_cycle()
    {
        var stats = new RtpReceiveStatistics(1, 90000);
        stats.OnPacket(65534, 0, Ms(0), 1);
        stats.OnPacket(1, 0, Ms(1), 1);
        stats.OnPacket(65535, 0, Ms(2), 1);
        stats.OnPacket(0, 0, Ms(3), 1);
        Assert.That(stats.HighestSequence, Is.EqualTo(0x10001u));
        Assert.That(stats.PacketsLost, Is.Zero);
    }

    [Test]
    public void Duplicates_make_loss_negative()
    {
        var stats = new RtpReceiveStatistics(1, 90000);
        stats.OnPacket(10, 0, Ms(0), 1);
        stats.OnPacket(11, 0, Ms(1), 1);
        stats.OnPacket(11, 0, Ms(2), 1);
        // RFC 3550 §6.4.1: "the number of packets lost ... may be negative if there are duplicates".
        Assert.That(stats.PacketsLost, Is.EqualTo(-1));
        Assert.That(stats.CreateReportBlock(Ms(3)).CumulativeLost, Is.EqualTo(-1));
    }

    [Test]
    public void Cumulative_loss_is_clamped_to_24_bits()
    {
        var stats = new RtpReceiveStatistics(1, 90000);
        ushort seq = 0;
        for (int i = 0; i < 3000; i++)
        {
            stats.OnPacket(seq, 0, Ms(i), 1);
            seq += 2999; // the largest step A.1 takes as in sequence
        }

        Assert.That(stats.PacketsLost, Is.GreaterThan(0x7FFFFF));
        // RFC 3550 §6.4.1: cumulative number of packets lost is a signed 24-bit field.
        Assert.That(stats.CreateReportBlock(Ms(5000)).CumulativeLost, Is.EqualTo(0x7FFFFF));
    }

    [Test]
    public void Probation_needs_min_sequential_packets()
    {
        // RFC 3550 A.1: a source is valid after MIN_SEQUENTIAL packets in sequence.
        var stats = new RtpReceiveStatistics(1, 90000, minSequential: 2);
        Assert.That(stats.OnPacket(100, 0, Ms(0), 1), Is.False);
        Assert.That(stats.IsValid, Is.False);
        Assert.That(stats.OnPacket(200, 0, Ms(1), 1), Is.False);
        Assert.That(stats.OnPacket(201, 0, Ms(2), 1), Is.True);
        Assert.That(stats.IsValid, Is.True);
        Assert.That(stats.OnPacket(202, 0, Ms(3), 1), Is.True);
        Assert.That(stats.PacketsExpected, Is.EqualTo(2));
        Assert.That(stats.PacketsLost, Is.Zero);
        Assert.That(stats.PacketsDiscarded, Is.EqualTo(2));
    }

    [Test]
    public void Large_jump_is_accepted_only_when_the_next_packet_follows_it()
    {
        var stats = new RtpReceiveStatistics(1, 90000);
        stats.OnPacket(10, 0, Ms(0), 1);
        stats.OnPacket(11, 0, Ms(1), 1);
        // RFC 3550 A.1: a very large jump is taken as a restart only when the packet after it is in sequence.
        Assert.That(stats.OnPacket(40000, 0, Ms(2), 1), Is.False);
        Assert.That(stats.HighestSequence, Is.EqualTo(11u));
        Assert.That(stats.OnPacket(40001, 0, Ms(3), 1), Is.True);
        Assert.That(stats.HighestSequence, Is.EqualTo(40001u));
        Assert.That(stats.PacketsExpected, Is.EqualTo(1));
        Assert.That(stats.PacketsLost, Is.Zero);
    }

    [Test]
    public void Jitter_is_zero_for_constant_transit()
    {
        var stats = new RtpReceiveStatistics(1, 48000);
        for (int i = 0; i < 50; i++)
        {
            stats.OnPacket((ushort)i, (uint)(i * 960), Ms((i * 20) + 37), 100);
        }

        Assert.That(stats.JitterTimestampUnits, Is.Zero);
        Assert.That(stats.Jitter, Is.Zero);
    }

    [Test]
    public void Jitter_converges_to_the_transit_difference()
    {
        var stats = new RtpReceiveStatistics(1, 48000);
        for (int i = 0; i < 500; i++)
        {
            // Every other packet is 10 ms late: |D| = 480 timestamp units each time.
            double arrival = (i * 20) + (i % 2 == 1 ? 10 : 0);
            stats.OnPacket((ushort)i, (uint)(i * 960), Ms(arrival), 100);
        }

        // RFC 3550 A.8: J(i) = J(i-1) + (|D(i-1,i)| - J(i-1))/16 converges to |D|.
        Assert.That(stats.JitterTimestampUnits, Is.InRange(478u, 480u));
        Assert.That(stats.Jitter, Is.EqualTo(0.010).Within(0.0001));
    }

    [Test]
    public void Retransmissions_are_counted_but_kept_out_of_jitter()
    {
        var stats = new RtpReceiveStatistics(1, 90000);
        stats.OnPacket(1, 0, Ms(0), 100);
        stats.OnPacket(3, 5940, Ms(66), 100); // same transit as packet 1
        stats.OnPacket(2, 3000, Ms(500), 100, isRetransmission: true); // very late transit
        Assert.Multiple(() =>
        {
            Assert.That(stats.JitterTimestampUnits, Is.Zero);
            Assert.That(stats.PacketsLost, Is.Zero);
            Assert.That(stats.PacketsReceived, Is.EqualTo(3));
            Assert.That(stats.RetransmittedPacketsReceived, Is.EqualTo(1));
            Assert.That(stats.RetransmittedBytesReceived, Is.EqualTo(100));
        });
    }

    [Test]
    public void Report_block_carries_lsr_and_dlsr()
    {
        var stats = new RtpReceiveStatistics(1, 90000);
        stats.OnPacket(1, 0, Ms(0), 100);
        var ntp = new NtpTime(0x0123_4567_89AB_CDEF);
        stats.OnSenderReport(ntp, TimeSpan.FromSeconds(1));
        var block = stats.CreateReportBlock(TimeSpan.FromSeconds(1.5));
        // RFC 3550 §6.4.1: LSR is the middle 32 bits of the SR's NTP timestamp; DLSR is in 1/65536 s.
        Assert.That(block.LastSenderReport, Is.EqualTo(0x4567_89ABu));
        Assert.That(block.DelaySinceLastSenderReport, Is.EqualTo(32768u));
    }
}

public class RtpSendStatisticsTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    private static (uint Ssrc, NtpTime Ntp, uint RtpTimestamp, uint Packets, uint Octets, int Reports) ParseSr(ReadOnlySpan<byte> data)
    {
        Assert.That(RtcpPacket.TryParse(data, out var packet, out _, out _), Is.True);
        Assert.That(RtcpSenderReport.TryParse(packet, out var sr, out _), Is.True);
        return (sr.Ssrc, sr.NtpTime, sr.RtpTimestamp, sr.PacketCount, sr.OctetCount, sr.ReportCount);
    }

    [Test]
    public void Sender_report_extrapolates_the_rtp_timestamp()
    {
        var stats = new RtpSendStatistics(0xAABBCCDD, 90000);
        for (int i = 0; i < 10; i++)
        {
            stats.OnPacketSent((uint)(1_000_000 + (i * 3000)), Ms(i * 33.33333), 1200);
        }

        stats.OnPacketSent(1_000_000, Ms(310), 1200, retransmission: true);
        var buffer = new byte[100];
        var ntp = new NtpTime(0xE000_0000_8000_0000);
        // 100 ms after the last new packet (sampled at 300 ms): 9000 units later at 90 kHz.
        Assert.That(stats.TryWriteSenderReport(buffer, Ms(400), ntp, out int written), Is.True);
        var sr = ParseSr(buffer.AsSpan(0, written));
        // RFC 3550 §6.4.1: the RTP timestamp corresponds to the NTP time, in the same units as the data packets'.
        Assert.Multiple(() =>
        {
            Assert.That(sr.Ssrc, Is.EqualTo(0xAABBCCDDu));
            Assert.That(sr.Ntp, Is.EqualTo(ntp));
            Assert.That(sr.RtpTimestamp, Is.EqualTo(1_000_000u + 27000 + 9000).Within(1u));
            Assert.That(sr.Packets, Is.EqualTo(11u));
            Assert.That(sr.Octets, Is.EqualTo(13200u));
            Assert.That(stats.RetransmittedPacketsSent, Is.EqualTo(1));
            Assert.That(stats.PacketsSent, Is.EqualTo(11));
            Assert.That(stats.SenderReportsSent, Is.EqualTo(1));
        });
    }

    [Test]
    public void Sender_report_timestamp_wraps()
    {
        var stats = new RtpSendStatistics(1, 48000);
        stats.OnPacketSent(uint.MaxValue - 100, Ms(0), 10);
        Assert.That(stats.GetRtpTimestamp(Ms(20)), Is.EqualTo(959u - 100));
    }

    [Test]
    public void No_sender_report_before_media()
    {
        var stats = new RtpSendStatistics(1, 48000);
        Assert.That(stats.TryWriteSenderReport(new byte[100], Ms(0), new NtpTime(1), out int written), Is.False);
        Assert.That(written, Is.Zero);
        stats.OnPacketSent(5, Ms(0), 10, retransmission: true);
        Assert.That(stats.HasSentMedia, Is.False);
    }

    [Test]
    public void Sender_report_carries_report_blocks_and_refuses_a_small_buffer()
    {
        var stats = new RtpSendStatistics(1, 48000);
        stats.OnPacketSent(5, Ms(0), 10);
        RtcpReportBlock[] blocks = [new RtcpReportBlock(9, 1, 2, 3, 4, 5, 6)];
        Assert.That(stats.TryWriteSenderReport(new byte[40], Ms(0), new NtpTime(1), blocks, out _), Is.False);
        var buffer = new byte[52];
        Assert.That(stats.TryWriteSenderReport(buffer, Ms(0), new NtpTime(1), blocks, out int written), Is.True);
        Assert.That(ParseSr(buffer.AsSpan(0, written)).Reports, Is.EqualTo(1));
    }

    [Test]
    public void Report_block_gives_round_trip_time_and_remote_loss()
    {
        var stats = new RtpSendStatistics(7, 90000);
        uint lsr = 0x1234_0000;
        var block = new RtcpReportBlock(7, 64, 12, 0x10005, 900, lsr, 0x8000); // DLSR 0.5 s
        var arrival = new NtpTime(((ulong)lsr << 16) + (((ulong)0x8000 + 0x1999) << 16)); // + 0.5 s + ~0.1 s
        Assert.That(stats.OnReportBlock(block, arrival), Is.True);
        // RFC 3550 §6.4.1: RTT = A - LSR - DLSR.
        Assert.That(stats.RoundTripTime!.Value.TotalMilliseconds, Is.EqualTo(100).Within(0.1));
        Assert.Multiple(() =>
        {
            Assert.That(stats.RemoteFractionLost, Is.EqualTo(0.25));
            Assert.That(stats.RemotePacketsLost, Is.EqualTo(12));
            Assert.That(stats.RemoteJitter, Is.EqualTo(0.01).Within(1e-9));
            Assert.That(stats.RemoteHighestSequence, Is.EqualTo(0x10005u));
            Assert.That(stats.RoundTripTimeMeasurements, Is.EqualTo(1));
        });
    }

    [Test]
    public void Blocks_for_other_sources_and_without_lsr_leave_rtt_alone()
    {
        var stats = new RtpSendStatistics(7, 90000);
        Assert.That(stats.OnReportBlock(new RtcpReportBlock(8, 0, 0, 0, 0, 1, 1), new NtpTime(1UL << 40)), Is.False);
        Assert.That(stats.OnReportBlock(new RtcpReportBlock(7, 0, 0, 0, 0, 0, 0), new NtpTime(1UL << 40)), Is.True);
        Assert.That(stats.RoundTripTime, Is.Null);
        Assert.That(stats.ReportBlocksReceived, Is.EqualTo(1));
    }

    [Test]
    public void Sender_and_receiver_measure_the_round_trip_together()
    {
        // A sender writes an SR; 40 ms later the receiver gets it, answers 250 ms later, and the block takes 40 ms back.
        var epoch = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        NtpTime Ntp(TimeSpan t) => NtpTime.FromDateTime(epoch + t);
        var sender = new RtpSendStatistics(0x51, 90000);
        var receiver = new RtpReceiveStatistics(0x51, 90000);
        for (int i = 0; i < 30; i++)
        {
            sender.OnPacketSent((uint)(i * 3000), Ms(i * 33.3), 1000);
            receiver.OnPacket((ushort)i, (uint)(i * 3000), Ms((i * 33.3) + 40), 1000);
        }

        var buffer = new byte[64];
        Assert.That(sender.TryWriteSenderReport(buffer, Ms(1000), Ntp(Ms(1000)), out int written), Is.True);
        Assert.That(RtcpPacket.TryParse(buffer.AsSpan(0, written), out var packet, out _, out _), Is.True);
        Assert.That(RtcpSenderReport.TryParse(packet, out var sr, out _), Is.True);
        receiver.OnSenderReport(sr.NtpTime, Ms(1040));
        var block = receiver.CreateReportBlock(Ms(1290));
        Assert.That(sender.OnReportBlock(block, Ntp(Ms(1330))), Is.True);
        Assert.That(sender.RoundTripTime!.Value.TotalMilliseconds, Is.EqualTo(80).Within(0.1));
        Assert.That(sender.RemotePacketsLost, Is.Zero);
    }
}
