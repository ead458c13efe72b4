using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using WebRtc.Client.Net;
using WebRtc.Client.Rtcp;
using WebRtc.Client.Rtp;
using WebRtc.Client.Srtp;

namespace WebRtc.Client.Media;

/// <summary>
/// The RTP side of one bundled transport: SRTP/SRTCP over the ICE transport's RTP channel
/// (RFC 7983 demux, RFC 5761 rtcp-mux), routing of inbound packets to receive streams
/// (RFC 8843 §9.2: MID header extension, then SSRC, then payload type), RTCP dispatch to the
/// senders and receivers, and the periodic tick that drives reports, NACKs and keyframe requests.
/// </summary>
internal sealed class RtpMediaTransport : IAsyncDisposable
{
    private const int MaxDatagram = 1500;

    // SSRCs learned from MID or payload type; a peer cycling through random SSRCs must not grow this forever.
    private const int MaxLearnedSsrcs = 1024;
    private static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(20);

    private IDatagramTransport? _path;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly LogRateLimiter _dropLog = new(TimeSpan.FromSeconds(5));
    private readonly object _txLock = new();
    private readonly object _rxLock = new();

    /// <summary>Held while an inbound packet or the tick runs through the receive streams.</summary>
    internal object ReceiveLock => _rxLock;
    private readonly byte[] _rxBuffer = new byte[MaxDatagram];
    private readonly RtcpReports _reports;
    private readonly long _start;
    private SrtpContext? _tx;
    private SrtpContext? _rx;
    private ITimer? _timer;
    private volatile Routing _routing = new([], [], [], new Dictionary<int, RtpReceiveStream>(), null);
    private readonly LogRateLimiter _failureLog = new(TimeSpan.FromSeconds(10));
    private readonly Dictionary<uint, RtpReceiveStream> _learnedSsrcs = new();
    private bool _disposed;

    public RtpMediaTransport(TimeProvider time, string cname, ILogger logger)
    {
        Cname = cname;
        _reports = new RtcpReports(cname);
        _time = time;
        _logger = logger;
        _start = time.GetTimestamp();
    }

    /// <summary>Packets dropped: not SRTP-authentic, replayed, malformed, or for no receiver.</summary>
    public long DroppedPackets;

    /// <summary>Authentic packets a stage threw on (a bug, or a codec's on hostile input); counted in <see cref="DroppedPackets"/> too.</summary>
    public long ReceiveFailures;

    /// <summary>The RTCP CNAME of every local source (RFC 7022: one random, persistent-per-connection name).</summary>
    public string Cname { get; }

    public RtcpReports Reports => _reports;

    /// <summary>Whether SRTP keys are in and media can flow.</summary>
    public bool IsStarted => _tx is not null;

    /// <summary>Time since the transport was made, the clock every stage reads.</summary>
    public TimeSpan Now => _time.GetElapsedTime(_start);

    public TimeProvider TimeProvider => _time;

    /// <summary>Keys SRTP from DTLS and starts receiving and the tick.</summary>
    public void Start(IDatagramTransport path, SrtpKeyingMaterial keys)
    {
        lock (_txLock)
        {
            if (_disposed || _tx is not null)
            {
                return;
            }

            _path = path;
            _tx = keys.CreateLocalContext();
        }

        lock (_rxLock)
        {
            _rx = keys.CreateRemoteContext();
        }

        path.Receiver = OnDatagram;
        _timer = _time.CreateTimer(_ => Tick(), null, TickInterval, TickInterval);
        _logger.LogDebug("SRTP keyed with {Profile}; media can flow", keys.Profile);
    }

    /// <summary>Replaces the routing table and the senders RTCP feedback goes to (after each negotiation).</summary>
    public void SetStreams(IReadOnlyList<RtpSendStream> senders, IReadOnlyList<RtpReceiveStream> receivers)
    {
        var byMid = new Dictionary<string, RtpReceiveStream>(StringComparer.Ordinal);
        var byPt = new Dictionary<int, RtpReceiveStream>();
        var ambiguousPt = new HashSet<int>();
        foreach (var r in receivers)
        {
            if (r.Mid is { } mid)
            {
                byMid[mid] = r;
            }

            foreach (var pt in r.PayloadTypes)
            {
                if (!byPt.TryAdd(pt, r))
                {
                    ambiguousPt.Add(pt);
                }
            }
        }

        // RFC 8843 §9.2: a payload type routes only when one m-section has it.
        foreach (var pt in ambiguousPt)
        {
            byPt.Remove(pt);
        }

        lock (_rxLock)
        {
            // SSRCs the remote description declares route straight; learned ones stay while their stream does.
            foreach (var (ssrc, stream) in _learnedSsrcs.ToArray())
            {
                if (!receivers.Contains(stream))
                {
                    _learnedSsrcs.Remove(ssrc);
                }
            }

            foreach (var r in receivers)
            {
                foreach (var ssrc in r.DeclaredSsrcs)
                {
                    _learnedSsrcs[ssrc] = r;
                }
            }
        }

        int midExtension = receivers.Select(r => r.MidExtensionId).FirstOrDefault(id => id > 0);
        _routing = new Routing(senders.ToArray(), receivers.ToArray(), byMid.Select(p => (System.Text.Encoding.ASCII.GetBytes(p.Key), p.Value)).ToArray(), byPt, midExtension > 0 ? midExtension : null);
    }

    /// <summary>Forgets SRTP/SRTCP replay state (for benchmarks that replay one recorded stream).</summary>
    internal void ResetSrtpReceiveState()
    {
        lock (_rxLock)
        {
            _rx?.ResetReceiveState();
        }
    }

    /// <summary>Protects and sends one RTP packet; <paramref name="buffer"/> has room for the SRTP tag after <paramref name="length"/>.</summary>
    public bool SendRtp(Span<byte> buffer, int length)
    {
        lock (_txLock)
        {
            if (_tx is null || _disposed)
            {
                return false;
            }

            if (!_tx.TryProtectRtp(buffer, length, out int protectedLength, out var error))
            {
                _logger.LogDebug("SRTP protect failed ({Error}); RTP packet not sent", error);
                return false;
            }

            return _path!.TrySend(buffer[..protectedLength]);
        }
    }

    /// <summary>Protects and sends one compound RTCP packet (room for the SRTCP trailer after it).</summary>
    public bool SendRtcp(Span<byte> buffer, int length)
    {
        lock (_txLock)
        {
            if (_tx is null || _disposed)
            {
                return false;
            }

            if (!_tx.TryProtectRtcp(buffer, length, out int protectedLength, out var error))
            {
                _logger.LogDebug("SRTCP protect failed ({Error}); RTCP packet not sent", error);
                return false;
            }

            return _path!.TrySend(buffer[..protectedLength]);
        }
    }

    private void OnDatagram(ReadOnlySpan<byte> datagram)
    {
        lock (_rxLock)
        {
            if (_rx is null || _disposed)
            {
                return;
            }

            if (datagram.Length > _rxBuffer.Length || datagram.Length < RtpPacket.FixedHeaderLength)
            {
                Drop("a datagram of {0} bytes is not RTP/RTCP", datagram.Length);
                return;
            }

            var buffer = _rxBuffer.AsSpan();
            datagram.CopyTo(buffer);

            // RFC 5761 §4: payload types 64-95 (with the marker bit: 192-223) are RTCP.
            int secondByte = datagram[1];
            if (secondByte is >= 192 and <= 223)
            {
                if (!_rx.TryUnprotectRtcp(buffer, datagram.Length, out int plain, out var rtcpError))
                {
                    Drop("SRTCP unprotect failed: {0}", rtcpError);
                    return;
                }

                try
                {
                    HandleRtcp(buffer[..plain]);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    ReceiveFailed(ex, "RTCP");
                }

                return;
            }

            if (!_rx.TryUnprotectRtp(buffer, datagram.Length, out int length, out var error))
            {
                Drop("SRTP unprotect failed: {0}", error);
                return;
            }

            if (!RtpPacket.TryParse(buffer[..length], out var packet, out var parseError))
            {
                Drop("RTP parse failed: {0}", parseError);
                return;
            }

            var stream = Route(packet);
            if (stream is null)
            {
                Drop("no m-section takes SSRC {0} with payload type {1}", packet.Ssrc, packet.PayloadType);
                return;
            }

            try
            {
                stream.OnRtp(packet, Now);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Network input never throws out of the receive loop (a decoder fed hostile bytes may).
                ReceiveFailed(ex, "RTP");
            }
        }
    }

    private void ReceiveFailed(Exception ex, string what)
    {
        Interlocked.Increment(ref ReceiveFailures);
        Interlocked.Increment(ref DroppedPackets);
        if (_failureLog.TryAcquire(out long suppressed))
        {
            _logger.LogWarning(ex, "An authentic {What} packet failed in the media pipeline; dropped ({Suppressed} more since the last such line)", what, suppressed);
        }
    }

    private void Learn(uint ssrc, RtpReceiveStream stream)
    {
        if (_learnedSsrcs.Count >= MaxLearnedSsrcs && !_learnedSsrcs.ContainsKey(ssrc))
        {
            _learnedSsrcs.Clear();
            foreach (var r in _routing.Receivers)
            {
                foreach (var declared in r.DeclaredSsrcs)
                {
                    _learnedSsrcs[declared] = r;
                }
            }
        }

        _learnedSsrcs[ssrc] = stream;
    }

    // RFC 8843 §9.2: the MID header extension first, then a known SSRC, then a payload type unique to one m-section.
    private RtpReceiveStream? Route(in RtpPacket packet)
    {
        var routing = _routing;
        if (routing.MidExtensionId is { } midId && packet.TryGetExtension(midId, out var midBytes) && midBytes.Length > 0)
        {
            if (FindByMid(routing, midBytes) is { } byMid)
            {
                if (!_learnedSsrcs.TryGetValue(packet.Ssrc, out var known) || known != byMid)
                {
                    Learn(packet.Ssrc, byMid);
                }

                return byMid;
            }
        }

        if (_learnedSsrcs.TryGetValue(packet.Ssrc, out var bySsrc))
        {
            return bySsrc;
        }

        if (routing.ByPayloadType.TryGetValue(packet.PayloadType, out var byPt))
        {
            Learn(packet.Ssrc, byPt);
            return byPt;
        }

        return null;
    }

    private static RtpReceiveStream? FindByMid(Routing routing, ReadOnlySpan<byte> mid)
    {
        foreach (var (bytes, stream) in routing.ByMid)
        {
            if (mid.SequenceEqual(bytes))
            {
                return stream;
            }
        }

        return null;
    }

    private void HandleRtcp(ReadOnlySpan<byte> compound)
    {
        var routing = _routing;
        var now = Now;
        foreach (var packet in new RtcpCompoundEnumerator(compound))
        {
            switch (packet.Type)
            {
                case RtcpPacketType.SenderReport when RtcpSenderReport.TryParse(packet, out var sr, out _):
                    if (_learnedSsrcs.TryGetValue(sr.Ssrc, out var rx))
                    {
                        rx.OnSenderReport(sr.NtpTime, now);
                    }

                    for (int i = 0; i < sr.ReportCount; i++)
                    {
                        OnReportBlock(routing, sr.GetReport(i), now);
                    }

                    break;
                case RtcpPacketType.ReceiverReport when RtcpReceiverReport.TryParse(packet, out var rr, out _):
                    for (int i = 0; i < rr.ReportCount; i++)
                    {
                        OnReportBlock(routing, rr.GetReport(i), now);
                    }

                    break;
                case RtcpPacketType.Bye when RtcpBye.TryParse(packet, out var bye, out _):
                    for (int i = 0; i < bye.SourceCount; i++)
                    {
                        if (_learnedSsrcs.TryGetValue(bye.GetSource(i), out var ended))
                        {
                            ended.OnBye();
                        }
                    }

                    break;
                case RtcpPacketType.TransportFeedback or RtcpPacketType.PayloadFeedback when Rtcp.RtcpFeedback.TryParse(packet, out var fb, out _):
                    HandleFeedback(routing, fb);
                    break;
            }
        }
    }

    private static void OnReportBlock(Routing routing, in RtcpReportBlock block, TimeSpan now)
    {
        foreach (var sender in routing.Senders)
        {
            if (sender.Ssrc == block.Ssrc)
            {
                sender.OnReportBlock(block, now);
                return;
            }
        }
    }

    private void HandleFeedback(Routing routing, in Rtcp.RtcpFeedback fb)
    {
        if (fb.Type == RtcpPacketType.PayloadFeedback && fb.Format == RtcpFeedbackFormat.FullIntraRequest)
        {
            for (int i = 0; i < fb.FirEntryCount; i++)
            {
                var (ssrc, _) = fb.GetFirEntry(i);
                FindSender(routing, ssrc)?.OnKeyFrameRequest("FIR");
            }

            return;
        }

        var sender = FindSender(routing, fb.MediaSsrc);
        if (sender is null)
        {
            return;
        }

        if (fb.IsPictureLossIndication)
        {
            sender.OnKeyFrameRequest("PLI");
        }
        else if (fb.NackItemCount > 0)
        {
            foreach (var seq in fb.LostSequenceNumbers)
            {
                sender.OnNack(seq);
            }
        }
    }

    private static RtpSendStream? FindSender(Routing routing, uint ssrc)
    {
        foreach (var sender in routing.Senders)
        {
            if (sender.Ssrc == ssrc)
            {
                return sender;
            }
        }

        return null;
    }

    private void Tick()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            var routing = _routing;
            lock (_rxLock)
            {
                // Read inside the lock: a wait here must not shrink the DLSR we report (the remote's RTT would grow).
                var now = Now;
                foreach (var receiver in routing.Receivers)
                {
                    receiver.OnTick(now);
                }

                _reports.MaybeSend(this, routing.Senders, routing.Receivers, now);
            }
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "The media tick failed; it runs again");
        }
    }

    // Generic so that a drop costs no boxing: the arguments are formatted only when a line is logged.
    internal void Drop<T1>(string reason, T1 arg1) => Drop(reason, arg1, string.Empty);

    internal void Drop<T1, T2>(string reason, T1 arg1, T2 arg2)
    {
        Interlocked.Increment(ref DroppedPackets);
        if (_logger.IsEnabled(LogLevel.Debug) && _dropLog.TryAcquire(out long suppressed))
        {
            _logger.LogDebug("RTP/RTCP datagram dropped: {Reason} ({Suppressed} more since the last such line, {Count} in all)",
                string.Format(System.Globalization.CultureInfo.InvariantCulture, reason, arg1, arg2), suppressed, DroppedPackets);
        }
    }

    public ValueTask DisposeAsync()
    {
        _disposed = true;
        _timer?.Dispose();
        if (_path is { } path)
        {
            path.Receiver = null;
        }
        lock (_txLock)
        {
            _tx?.Dispose();
        }

        lock (_rxLock)
        {
            _rx?.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private sealed record Routing(RtpSendStream[] Senders, RtpReceiveStream[] Receivers, (byte[] Mid, RtpReceiveStream Stream)[] ByMid,
        Dictionary<int, RtpReceiveStream> ByPayloadType, int? MidExtensionId);
}
