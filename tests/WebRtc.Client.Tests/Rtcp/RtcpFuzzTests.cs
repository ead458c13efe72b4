using WebRtc.Client.Rtcp;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Tests.Rtcp;

public class RtcpFuzzTests
{
    private static byte[] Seeds()
    {
        var buffer = new byte[1500];
        int n = 0;
        RtcpWriter.TryWriteSenderReport(buffer, 1, new NtpTime(5), 6, 7, 8, [new RtcpReportBlock(1, 2, 3, 4, 5, 6, 7)], out int w);
        n += w;
        RtcpWriter.TryWriteReceiverReport(buffer.AsSpan(n), 1, [new RtcpReportBlock(1, 2, 3, 4, 5, 6, 7)], out w);
        n += w;
        RtcpWriter.TryWriteSdesCname(buffer.AsSpan(n), 1, "cname"u8, out w);
        n += w;
        RtcpWriter.TryWriteBye(buffer.AsSpan(n), [1], "x"u8, out w);
        n += w;
        RtcpWriter.TryWriteApp(buffer.AsSpan(n), 1, 1, "ABCD"u8, [1, 2, 3, 4], out w);
        n += w;
        RtcpWriter.TryWriteNack(buffer.AsSpan(n), 1, 2, [1, 3, 40], out w);
        n += w;
        RtcpWriter.TryWritePli(buffer.AsSpan(n), 1, 2, out w);
        n += w;
        RtcpWriter.TryWriteFir(buffer.AsSpan(n), 1, [(2, 3)], out w);
        n += w;
        RtcpWriter.TryWriteRemb(buffer.AsSpan(n), 1, 300_000, [2], out w);
        n += w;
        RtcpWriter.TryWriteExtendedReport(buffer.AsSpan(n), 1, new NtpTime(9), [new RtcpDlrrItem(1, 2, 3)], out w);
        n += w;
        var packets = new RtcpTwccPacket[30];
        var arrivals = Enumerable.Range(0, 30).Select(i => i % 5 == 0 ? -1L : i * 1000L + (i == 7 ? 90_000 : 0)).ToArray();
        RtcpTransportFeedback.TryComputeDeltas(10, arrivals, packets, out int reference);
        RtcpWriter.TryWriteTransportFeedback(buffer.AsSpan(n), 1, 2, reference, 1, packets, out w);
        n += w;
        return buffer[..n];
    }

    [Test]
    public void Random_and_mutated_compounds_never_throw()
    {
        var seed = Seeds();
        Assert.That(RtcpCompoundEnumerator.Validate(seed, out _), Is.True);
        var random = new Random(33);
        var buffer = new byte[seed.Length + 64];
        int packetsParsed = 0;
        for (int i = 0; i < 40_000; i++)
        {
            int length;
            if (i % 3 == 0)
            {
                length = random.Next(80);
                random.NextBytes(buffer.AsSpan(0, length));
                if (length > 0)
                {
                    buffer[0] = (byte)(0x80 | (buffer[0] & 0x3F));
                }
            }
            else
            {
                seed.CopyTo(buffer, 0);
                length = random.Next(seed.Length + 1);
                for (int m = random.Next(1, 6); m > 0; m--)
                {
                    buffer[random.Next(Math.Max(1, length))] = (byte)random.Next(256);
                }
            }

            packetsParsed += Visit(buffer.AsSpan(0, length));
        }

        Assert.That(packetsParsed, Is.GreaterThan(10_000));
    }

    private static int Visit(ReadOnlySpan<byte> data)
    {
        int count = 0;
        long sink = 0;
        foreach (var packet in new RtcpCompoundEnumerator(data))
        {
            count++;
            if (RtcpSenderReport.TryParse(packet, out var sr, out _))
            {
                for (int i = 0; i < sr.ReportCount; i++)
                {
                    sink += sr.GetReport(i).Jitter;
                }
            }

            if (RtcpReceiverReport.TryParse(packet, out var rr, out _))
            {
                for (int i = 0; i < rr.ReportCount; i++)
                {
                    sink += rr.GetReport(i).CumulativeLost;
                }
            }

            if (RtcpSdes.TryParse(packet, out var sdes, out _))
            {
                foreach (var item in sdes.Items)
                {
                    sink += item.Text.Length;
                }
            }

            if (RtcpBye.TryParse(packet, out var bye, out _))
            {
                for (int i = 0; i < bye.SourceCount; i++)
                {
                    sink += bye.GetSource(i);
                }

                sink += bye.Reason.Length;
            }

            if (RtcpApp.TryParse(packet, out var app, out _))
            {
                sink += app.Data.Length;
            }

            if (RtcpFeedback.TryParse(packet, out var fb, out _))
            {
                foreach (ushort seq in fb.LostSequenceNumbers)
                {
                    sink += seq;
                }

                for (int i = 0; i < fb.FirEntryCount; i++)
                {
                    sink += fb.GetFirEntry(i).SequenceNumber;
                }

                if (fb.TryGetRemb(out ulong bitrate, out var ssrcs))
                {
                    sink += (long)(bitrate & 0xFFFF) + ssrcs.Length;
                }
            }

            if (RtcpTransportFeedback.TryParse(packet, out var twcc, out _))
            {
                int n = 0;
                foreach (var p in twcc.Packets)
                {
                    sink += p.Delta;
                    n++;
                }

                Assert.That(n, Is.EqualTo(twcc.PacketStatusCount));
            }

            if (RtcpExtendedReport.TryParse(packet, out var xr, out _))
            {
                foreach (var block in xr.Blocks)
                {
                    sink += block.TryGetReceiverReferenceTime(out var t) ? (long)(t.Value & 0xFF) : 0;
                    for (int i = 0; i < block.DlrrCount; i++)
                    {
                        sink += block.GetDlrr(i).Ssrc;
                    }
                }
            }
        }

        return sink == long.MinValue ? 0 : count;
    }
}
