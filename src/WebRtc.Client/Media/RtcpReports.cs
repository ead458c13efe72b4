using WebRtc.Client.Media.Stages;
using WebRtc.Client.Rtcp;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Media;

/// <summary>
/// Writes the RTCP a transport sends: the periodic compound report (SR for each sending SSRC or an RR,
/// report blocks for every received source, SDES CNAME; RFC 3550 §6.1, §6.4) at the RFC 3550 §6.3
/// interval, and feedback (PLI, NACK; RFC 4585 §6.2-6.3) in a compound packet that starts with an RR.
/// </summary>
internal sealed class RtcpReports
{
    private const int MaxReportBlocks = 31;
    private readonly byte[] _buffer = new byte[1500];
    private readonly byte[] _feedback = new byte[1500];
    private readonly byte[] _cname;
    private readonly RtcpReportBlock[] _blocks = new RtcpReportBlock[MaxReportBlocks];
    private readonly RtcpIntervalScheduler _scheduler;
    private readonly object _feedbackLock = new();

    public RtcpReports(string cname)
    {
        _cname = System.Text.Encoding.UTF8.GetBytes(cname);
        // libwebrtc's 1 s for video calls (RFC 4585 §3.5 lets AVPF send more often than 5 s).
        _scheduler = new RtcpIntervalScheduler(RtcpIntervalScheduler.VideoMinimumInterval, TimeSpan.Zero);
    }

    public long ReportsSent;

    // Under the transport's receive lock.
    public void MaybeSend(RtpMediaTransport transport, ReadOnlySpan<RtpSendStream> senders, ReadOnlySpan<RtpReceiveStream> receivers, TimeSpan now)
    {
        if (!_scheduler.IsDue(now) || !transport.IsStarted)
        {
            return;
        }

        _scheduler.OnSent(now);
        int blocks = 0;
        foreach (var r in receivers)
        {
            if (blocks < MaxReportBlocks && r.Statistics is { } stats && r.RemoteSsrc is { } ssrc)
            {
                _blocks[blocks++] = stats.CreateReportBlock(now) with { Ssrc = ssrc };
            }
        }

        var span = _buffer.AsSpan(0, _buffer.Length - 64); // room for the SRTCP trailer
        int length = 0;
        bool first = true;
        var ntp = NtpTime.FromDateTime(transport.TimeProvider.GetUtcNow().UtcDateTime);
        uint reporter = 0;
        foreach (var sender in senders)
        {
            if (!sender.HasSent)
            {
                continue;
            }

            var block = first ? _blocks.AsSpan(0, blocks) : default;
            if (!sender.TryWriteSenderReport(span[length..], now, ntp, block, out int written))
            {
                continue;
            }

            if (first)
            {
                reporter = sender.Ssrc;
            }

            first = false;
            length += written;
            if (!RtcpWriter.TryWriteSdesCname(span[length..], sender.Ssrc, _cname, out written))
            {
                return;
            }

            length += written;
        }

        if (first)
        {
            if (senders.Length == 0 && receivers.Length == 0)
            {
                return;
            }

            // Receive-only: report from the SSRC the receivers' feedback (PLI, NACK) comes from, not a made-up one.
            reporter = senders.Length > 0 ? senders[0].Ssrc : receivers[0].LocalSsrc;
            if (!RtcpWriter.TryWriteReceiverReport(span, reporter, _blocks.AsSpan(0, blocks), out int written))
            {
                return;
            }

            length = written;
            if (!RtcpWriter.TryWriteSdesCname(span[length..], reporter, _cname, out written))
            {
                return;
            }

            length += written;
        }

        ReportsSent++;
        transport.SendRtcp(_buffer, length);
    }

    public static void SendPli(RtpMediaTransport transport, uint senderSsrc, uint mediaSsrc)
    {
        var reports = transport.Reports;
        lock (reports._feedbackLock)
        {
            var span = reports._feedback.AsSpan(0, reports._feedback.Length - 64);
            if (!reports.TryWriteRrHeader(span, senderSsrc, out int length)
                || !RtcpWriter.TryWritePli(span[length..], senderSsrc, mediaSsrc, out int written))
            {
                return;
            }

            transport.SendRtcp(reports._feedback, length + written);
        }
    }

    public static void SendNack(RtpMediaTransport transport, uint senderSsrc, uint mediaSsrc, ReadOnlySpan<ushort> lost)
    {
        // RFC 4585 §6.2.1: the FCI packs a PID and a bitmask of the 16 following losses.
        var reports = transport.Reports;
        lock (reports._feedbackLock)
        {
            var span = reports._feedback.AsSpan(0, reports._feedback.Length - 64);
            if (!reports.TryWriteRrHeader(span, senderSsrc, out int length)
                || !RtcpWriter.TryWriteNack(span[length..], senderSsrc, mediaSsrc, lost, out int written))
            {
                return;
            }

            transport.SendRtcp(reports._feedback, length + written);
        }
    }

    /// <summary>RTCP BYE for a source that stops sending (RFC 3550 §6.6), in a compound packet that starts with an RR.</summary>
    public static void SendBye(RtpMediaTransport transport, uint ssrc)
    {
        var reports = transport.Reports;
        lock (reports._feedbackLock)
        {
            var span = reports._feedback.AsSpan(0, reports._feedback.Length - 64);
            if (!reports.TryWriteRrHeader(span, ssrc, out int length)
                || !RtcpWriter.TryWriteBye(span[length..], [ssrc], default, out int written))
            {
                return;
            }

            transport.SendRtcp(reports._feedback, length + written);
        }
    }

    // RFC 4585 §3.1 / RFC 3550 §6.1: a compound packet starts with a report and carries SDES CNAME.
    private bool TryWriteRrHeader(Span<byte> span, uint ssrc, out int length)
    {
        length = 0;
        if (!RtcpWriter.TryWriteReceiverReport(span, ssrc, default, out int written))
        {
            return false;
        }

        length = written;
        if (!RtcpWriter.TryWriteSdesCname(span[length..], ssrc, _cname, out written))
        {
            return false;
        }

        length += written;
        return true;
    }
}
