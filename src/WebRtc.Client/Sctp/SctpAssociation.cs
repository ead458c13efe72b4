using System.Buffers.Binary;
using System.Security.Cryptography;

namespace WebRtc.Client.Sctp;

/// <summary>
/// A sans-IO SCTP association (RFC 9260 as profiled for WebRTC by RFC 8261 and RFC 8831, with
/// RFC 3758 partial reliability and RFC 6525 stream reset). It takes packets and the time in
/// (<see cref="HandlePacket"/>, <see cref="HandleTimeout"/>) and gives packets
/// (<see cref="PollTransmit"/>), messages (<see cref="TryReceive"/>), events
/// (<see cref="PollEvent"/>) and the next timer deadline out. It never blocks, never reads a
/// clock and is not thread-safe: a driver serializes calls.
/// Malformed, mis-tagged or out-of-state packets are dropped and counted, never thrown.
/// </summary>
public sealed partial class SctpAssociation
{
    private const uint CookieMagic = 0x57524331; // "WRC1"
    private const int CookieLength = 48 + 32;

    private readonly SctpAssociationOptions _options;
    private readonly Random _random;
    private readonly byte[] _cookieKey = RandomNumberGenerator.GetBytes(32);
    private readonly Queue<byte[]> _controlPackets = new();
    private readonly Queue<SctpAssociationEvent> _events = new();

    private SctpAssociationState _state;
    private uint _myTag;
    private uint _peerTag;
    private ulong _tieTag;
    private uint _myInitialTsn;
    private uint _peerInitialTsn;
    private ushort _outboundStreams;
    private ushort _inboundStreams;
    private bool _peerSupportsForwardTsn;
    private bool _peerSupportsReconfig;
    private byte[]? _cookieToEcho;

    // T1-init / T1-cookie and T2-shutdown share the shape "resend this packet with backoff".
    private TimeSpan? _t1Deadline;
    private int _t1Count;
    private TimeSpan? _t2Deadline;
    private int _t2Count;
    private int _errorCount;

    private TimeSpan? _heartbeatDeadline;
    private TimeSpan? _heartbeatAckDeadline;
    private ulong _heartbeatNonce;

    /// <summary>Creates an association in <see cref="SctpAssociationState.Closed"/>, ready to <see cref="Connect"/> or to answer an INIT.</summary>
    public SctpAssociation(SctpAssociationOptions? options = null)
    {
        _options = options ?? new SctpAssociationOptions();
        _options.Validate();
        _random = _options.Random ?? new CryptoRandom();
        _mtu = _options.MaxPacketSize;
        _rto = _options.RtoInitial;
        _cwnd = InitialCwnd;
        _receiveWindow = _options.ReceiveWindow;
    }

    /// <summary>The current state.</summary>
    public SctpAssociationState State => _state;

    /// <summary>True once the handshake has completed (and until the association closes).</summary>
    public bool IsEstablished => _state is SctpAssociationState.Established or SctpAssociationState.ShutdownPending
        or SctpAssociationState.ShutdownReceived or SctpAssociationState.ShutdownSent or SctpAssociationState.ShutdownAckSent;

    /// <summary>The settings.</summary>
    public SctpAssociationOptions Options => _options;

    /// <summary>Counters.</summary>
    public SctpAssociationStatistics Statistics { get; } = new();

    /// <summary>Why the association closed abnormally, if it did.</summary>
    public string? CloseReason { get; private set; }

    /// <summary>Whether the peer announced RFC 3758 partial reliability.</summary>
    public bool PeerSupportsPartialReliability => _peerSupportsForwardTsn;

    /// <summary>Whether the peer announced RFC 6525 stream reconfiguration.</summary>
    public bool PeerSupportsStreamReset => _peerSupportsReconfig;

    /// <summary>Outbound streams negotiated (0 before the association is up).</summary>
    public ushort OutboundStreams => _outboundStreams;

    /// <summary>Inbound streams negotiated (0 before the association is up).</summary>
    public ushort InboundStreams => _inboundStreams;

    /// <summary>The earliest time <see cref="HandleTimeout"/> has work, or null.</summary>
    public TimeSpan? NextDeadline
    {
        get
        {
            TimeSpan? d = Min(_t1Deadline, _t2Deadline);
            d = Min(d, _t3Deadline);
            d = Min(d, _delayedAckDeadline);
            d = Min(d, _heartbeatDeadline);
            d = Min(d, _heartbeatAckDeadline);
            d = Min(d, _reconfigDeadline);
            return d;
        }
    }

    /// <summary>Starts the association: sends INIT (RFC 9260 §5.1). Both WebRTC peers may do this at once (§5.2.1).</summary>
    public void Connect(TimeSpan now)
    {
        if (_state != SctpAssociationState.Closed || _closedForGood)
        {
            throw new InvalidOperationException($"Connect needs a new association; this one is {_state}.");
        }

        _myTag = NewTag();
        _myInitialTsn = (uint)_random.NextInt64(0, 1L << 32);
        _tieTag = ((ulong)NewTag() << 32) | NewTag();
        InitSendState();
        SetState(SctpAssociationState.CookieWait, null);
        SendInit();
        _t1Count = 0;
        _t1Deadline = now + _rto;
    }

    /// <summary>Takes the next event, if any.</summary>
    public bool PollEvent(out SctpAssociationEvent? associationEvent) => _events.TryDequeue(out associationEvent);

    /// <summary>
    /// Ends the association at once: sends ABORT with a user-initiated cause (RFC 9260 §9.1)
    /// and drops everything queued.
    /// </summary>
    public void Abort(string reason)
    {
        if (_state == SctpAssociationState.Closed)
        {
            return;
        }

        if (_peerTag != 0)
        {
            var info = System.Text.Encoding.UTF8.GetBytes(reason.Length > 200 ? reason[..200] : reason);
            var buffer = new byte[SctpPacketReader.HeaderLength + 8 + info.Length + 8];
            var w = new SctpPacketWriter(buffer, _options.LocalPort, _options.RemotePort, _peerTag);
            w.TryAddErrorCause(SctpChunkType.Abort, false, SctpErrorCauseCode.UserInitiatedAbort, info);
            EnqueueControl(buffer, w.Finish());
        }

        Terminate("aborted locally: " + reason);
    }

    /// <summary>
    /// Processes one received packet. Returns false when it was dropped (malformed, wrong
    /// tag or port, or meaningless in this state).
    /// </summary>
    public bool HandlePacket(ReadOnlySpan<byte> packet, TimeSpan now)
    {
        if (!SctpPacketReader.TryParse(packet, out var reader, out _, _options.VerifyChecksum)
            || reader.DestinationPort != _options.LocalPort || reader.SourcePort != _options.RemotePort)
        {
            Statistics.PacketsDropped++;
            return false;
        }

        var first = reader.Chunks;
        first.MoveNext();
        var firstChunk = first.Current;
        uint tag = reader.VerificationTag;

        // RFC 9260 §8.5 and §8.5.1: which verification tag each kind of packet must carry.
        switch (firstChunk.Type)
        {
            case SctpChunkType.Init:
                if (tag != 0 || first.MoveNext())
                {
                    return Drop();
                }

                break;
            case SctpChunkType.CookieEcho:
                break; // checked against the cookie
            case SctpChunkType.Abort:
            case SctpChunkType.ShutdownComplete:
                bool reflected = (firstChunk.Flags & 1) != 0;
                if (_state == SctpAssociationState.Closed || (reflected ? tag != _peerTag : tag != _myTag))
                {
                    return Drop();
                }

                break;
            case SctpChunkType.ShutdownAck when _state is SctpAssociationState.Closed or SctpAssociationState.CookieWait or SctpAssociationState.CookieEchoed:
                // §8.4 item 5: answer with SHUTDOWN COMPLETE, T bit set, the packet's own tag.
                SendShutdownComplete(tag, reflected: true);
                return true;
            default:
                if (_state == SctpAssociationState.Closed || tag != _myTag)
                {
                    return Drop();
                }

                break;
        }

        Statistics.PacketsReceived++;
        Statistics.LargestPacketReceived = Math.Max(Statistics.LargestPacketReceived, packet.Length);
        bool dataSeen = false;
        foreach (var chunk in reader.Chunks)
        {
            if (!HandleChunk(chunk, tag, now, ref dataSeen))
            {
                break;
            }

            if (_state == SctpAssociationState.Closed && _closedForGood)
            {
                break;
            }
        }

        if (dataSeen)
        {
            AfterDataReceived(now);
        }

        AfterPacket(now);
        return true;
    }

    /// <summary>Runs every timer that is due.</summary>
    public void HandleTimeout(TimeSpan now)
    {
        if (_t1Deadline <= now)
        {
            OnT1Expired(now);
        }

        if (_t2Deadline <= now)
        {
            OnT2Expired(now);
        }

        if (_t3Deadline <= now)
        {
            OnT3Expired(now);
        }

        if (_delayedAckDeadline <= now)
        {
            _delayedAckDeadline = null;
            _sackNeeded = true;
        }

        if (_heartbeatAckDeadline <= now)
        {
            _heartbeatAckDeadline = null;
            CountError("heartbeat not answered");
            _rto = Clamp(_rto * 2);
        }

        if (_heartbeatDeadline <= now)
        {
            SendHeartbeat(now);
        }

        if (_reconfigDeadline <= now)
        {
            _reconfigDeadline = null;
            _reconfigRetransmit = true;
        }

        AfterPacket(now);
    }

    private bool HandleChunk(SctpChunk chunk, uint tag, TimeSpan now, ref bool dataSeen)
    {
        switch (chunk.Type)
        {
            case SctpChunkType.Data:
                if (SctpDataChunk.TryParse(chunk, out var data))
                {
                    dataSeen = true;
                    HandleData(data, now);
                }
                else
                {
                    // §3.3.1: empty DATA is a protocol violation; stop reading this packet.
                    Statistics.PacketsDropped++;
                    return false;
                }

                return true;
            case SctpChunkType.Sack:
                if (SctpSackChunk.TryParse(chunk, out var sack))
                {
                    HandleSack(sack, now);
                }

                return true;
            case SctpChunkType.Init:
                if (SctpInitChunk.TryParse(chunk, out var init))
                {
                    HandleInit(init, now);
                }

                return false;
            case SctpChunkType.InitAck:
                if (SctpInitChunk.TryParse(chunk, out var initAck))
                {
                    HandleInitAck(initAck, now);
                }

                return false;
            case SctpChunkType.CookieEcho:
                return HandleCookieEcho(chunk.Value, tag, now);
            case SctpChunkType.CookieAck:
                if (_state == SctpAssociationState.CookieEchoed)
                {
                    _t1Deadline = null;
                    _cookieToEcho = null;
                    BecomeEstablished(now);
                }

                return true;
            case SctpChunkType.Heartbeat:
                if (IsEstablished && chunk.Value.Length >= 4)
                {
                    var reply = new byte[SctpPacketReader.HeaderLength + SctpPacketWriter.Padded(chunk.Raw.Length)];
                    var w = new SctpPacketWriter(reply, _options.LocalPort, _options.RemotePort, _peerTag);
                    w.TryAddChunk(SctpChunkType.HeartbeatAck, 0, chunk.Value);
                    EnqueueControl(reply, w.Finish());
                }

                return true;
            case SctpChunkType.HeartbeatAck:
                HandleHeartbeatAck(chunk.Value, now);
                return true;
            case SctpChunkType.Abort:
                Terminate("aborted by the peer" + DescribeCauses(chunk.Value));
                return false;
            case SctpChunkType.Shutdown:
                if (chunk.Value.Length >= 4)
                {
                    HandleShutdown(BinaryPrimitives.ReadUInt32BigEndian(chunk.Value), now);
                }

                return true;
            case SctpChunkType.ShutdownAck:
                if (_state is SctpAssociationState.ShutdownSent or SctpAssociationState.ShutdownAckSent)
                {
                    SendShutdownComplete(_peerTag, reflected: false);
                    Terminate(null);
                }

                return false;
            case SctpChunkType.ShutdownComplete:
                if (_state == SctpAssociationState.ShutdownAckSent)
                {
                    Terminate(null);
                }

                return false;
            case SctpChunkType.Error:
                HandleError(chunk.Value, now);
                return true;
            case SctpChunkType.ForwardTsn:
                if (SctpForwardTsnChunk.TryParse(chunk, out var forward))
                {
                    dataSeen = true;
                    HandleForwardTsn(forward);
                }

                return true;
            case SctpChunkType.ReConfig:
                HandleReconfig(chunk.Value, now);
                return true;
            default:
                // §3.2: the two high bits of an unknown type say whether to go on and whether to report.
                byte type = (byte)chunk.Type;
                if ((type & 0x40) != 0 && IsEstablished)
                {
                    var report = new byte[SctpPacketReader.HeaderLength + 8 + SctpPacketWriter.Padded(chunk.Raw.Length)];
                    var w = new SctpPacketWriter(report, _options.LocalPort, _options.RemotePort, _peerTag);
                    w.TryAddErrorCause(SctpChunkType.Error, false, SctpErrorCauseCode.UnrecognizedChunkType, chunk.Raw);
                    EnqueueControl(report, w.Finish());
                }

                return (type & 0x80) != 0;
        }
    }

    private bool Drop()
    {
        Statistics.PacketsDropped++;
        return false;
    }

    private void AfterPacket(TimeSpan now)
    {
        if (!IsEstablished)
        {
            return;
        }

        TryStartStreamReset(now);
        TryProgressShutdown(now);
        if (_heartbeatDeadline is null && _heartbeatAckDeadline is null && _state == SctpAssociationState.Established)
        {
            _heartbeatDeadline = now + _options.HeartbeatInterval;
        }
    }

    private void SetState(SctpAssociationState state, string? reason)
    {
        if (_state == state)
        {
            return;
        }

        _state = state;
        _events.Enqueue(new SctpStateChangedEvent(state, reason));
    }

    private bool _closedForGood;

    private void Terminate(string? reason)
    {
        if (_closedForGood)
        {
            return;
        }

        _closedForGood = true;
        CloseReason = reason;
        _t1Deadline = _t2Deadline = _t3Deadline = _delayedAckDeadline = _heartbeatDeadline = _heartbeatAckDeadline = _reconfigDeadline = null;
        ReleaseSendState();
        ReleaseReceiveState();
        SetState(SctpAssociationState.Closed, reason);
    }

    private void CountError(string what)
    {
        if (++_errorCount > _options.MaxRetransmissions)
        {
            Abort("too many retransmissions (" + what + ")");
        }
    }

    private void EnqueueControl(byte[] buffer, int length)
    {
        _controlPackets.Enqueue(length == buffer.Length ? buffer : buffer.AsSpan(0, length).ToArray());
    }

    private uint NewTag()
    {
        uint tag;
        do
        {
            tag = (uint)_random.NextInt64(1, 1L << 32);
        }
        while (tag == 0);
        return tag;
    }

    private static string DescribeCauses(ReadOnlySpan<byte> value)
    {
        foreach (var cause in SctpParameterEnumerator.Over(value))
        {
            var code = (SctpErrorCauseCode)(ushort)cause.Type;
            if (code is SctpErrorCauseCode.UserInitiatedAbort or SctpErrorCauseCode.ProtocolViolation && cause.Value.Length > 0)
            {
                return $" ({code}: {System.Text.Encoding.UTF8.GetString(cause.Value[..Math.Min(cause.Value.Length, 200)])})";
            }

            return $" ({code})";
        }

        return string.Empty;
    }

    private static TimeSpan? Min(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : (a < b ? a : b);

    private TimeSpan Clamp(TimeSpan rto) => rto < _options.RtoMin ? _options.RtoMin : rto > _options.RtoMax ? _options.RtoMax : rto;

    // Serial number arithmetic (RFC 1982) for 32-bit TSNs and 16-bit SSNs.
    internal static bool TsnLess(uint a, uint b) => (int)(a - b) < 0;

    internal static bool TsnLessOrEqual(uint a, uint b) => (int)(a - b) <= 0;

    internal static bool SsnLessOrEqual(ushort a, ushort b) => (short)(ushort)(a - b) <= 0;

    /// <summary>A <see cref="Random"/> over the system CSPRNG, so tags cannot be predicted (RFC 9260 §5.3.1).</summary>
    private sealed class CryptoRandom : Random
    {
        public override long NextInt64(long minValue, long maxValue)
        {
            Span<byte> b = stackalloc byte[8];
            RandomNumberGenerator.Fill(b);
            ulong range = (ulong)(maxValue - minValue);
            return minValue + (long)(BinaryPrimitives.ReadUInt64LittleEndian(b) % range);
        }

        public override int Next(int maxValue) => RandomNumberGenerator.GetInt32(maxValue);

        public override double NextDouble() => (RandomNumberGenerator.GetInt32(int.MaxValue)) / (double)int.MaxValue;
    }
}
