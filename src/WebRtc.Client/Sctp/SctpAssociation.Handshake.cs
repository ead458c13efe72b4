using System.Buffers.Binary;
using System.Security.Cryptography;

namespace WebRtc.Client.Sctp;

// Association set-up (RFC 9260 §5), shutdown (§9.2) and heartbeats (§8.3).
public sealed partial class SctpAssociation
{
    /// <summary>
    /// Closes gracefully: queued and outstanding data is delivered first, then SHUTDOWN,
    /// SHUTDOWN ACK, SHUTDOWN COMPLETE (RFC 9260 §9.2). Before the association is up it aborts.
    /// </summary>
    public void Shutdown(TimeSpan now)
    {
        switch (_state)
        {
            case SctpAssociationState.Established:
                SetState(SctpAssociationState.ShutdownPending, null);
                TryProgressShutdown(now);
                break;
            case SctpAssociationState.CookieWait:
            case SctpAssociationState.CookieEchoed:
                Abort("shut down before the association was up");
                break;
        }
    }

    private void SendInit()
    {
        var buffer = new byte[128];
        var w = new SctpPacketWriter(buffer, _options.LocalPort, _options.RemotePort, 0);
        w.TryAddInit(false, _myTag, (uint)_receiveWindow, _options.OutboundStreams, _options.InboundStreams, _myInitialTsn, default);
        EnqueueControl(buffer, w.Finish());
    }

    private void HandleInit(SctpInitChunk init, TimeSpan now)
    {
        // §5.2.1: in COOKIE-WAIT/COOKIE-ECHOED answer with our original tag and TSN, so that
        // a simultaneous open converges on one pair of tags. §5.2.2: otherwise a fresh tag, and
        // the tie-tag lets a restart be told from an attack.
        uint myTag;
        uint myInitialTsn;
        ulong tieTag;
        switch (_state)
        {
            case SctpAssociationState.Closed when !_closedForGood:
                myTag = NewTag();
                myInitialTsn = (uint)_random.NextInt64(0, 1L << 32);
                tieTag = 0;
                break;
            case SctpAssociationState.CookieWait:
            case SctpAssociationState.CookieEchoed:
                myTag = _myTag;
                myInitialTsn = _myInitialTsn;
                tieTag = 0;
                break;
            case SctpAssociationState.Closed:
            case SctpAssociationState.ShutdownAckSent:
                return;
            default:
                myTag = NewTag();
                myInitialTsn = (uint)_random.NextInt64(0, 1L << 32);
                tieTag = _tieTag;
                break;
        }

        var cookie = CreateCookie(myTag, init.InitiateTag, myInitialTsn, init.InitialTsn, init.AdvertisedReceiverWindow,
            Math.Min(_options.OutboundStreams, init.InboundStreams), Math.Min(_options.InboundStreams, init.OutboundStreams),
            tieTag, init.Supports(SctpChunkType.ForwardTsn), init.Supports(SctpChunkType.ReConfig), now);
        var buffer = new byte[SctpPacketReader.HeaderLength + 64 + cookie.Length];
        var w = new SctpPacketWriter(buffer, _options.LocalPort, _options.RemotePort, init.InitiateTag);
        w.TryAddInit(true, myTag, (uint)_receiveWindow, _options.OutboundStreams, _options.InboundStreams, myInitialTsn, cookie);
        EnqueueControl(buffer, w.Finish());
    }

    private void HandleInitAck(SctpInitChunk initAck, TimeSpan now)
    {
        // §5.2.3: an INIT ACK anywhere but COOKIE-WAIT is stale.
        if (_state != SctpAssociationState.CookieWait || !initAck.TryGetStateCookie(out var cookie) || cookie.IsEmpty)
        {
            return;
        }

        _peerTag = initAck.InitiateTag;
        _peerInitialTsn = initAck.InitialTsn;
        _outboundStreams = Math.Min(_options.OutboundStreams, initAck.InboundStreams);
        _inboundStreams = Math.Min(_options.InboundStreams, initAck.OutboundStreams);
        _peerSupportsForwardTsn = initAck.Supports(SctpChunkType.ForwardTsn);
        _peerSupportsReconfig = initAck.Supports(SctpChunkType.ReConfig);
        InitReceiveState(initAck.InitialTsn, initAck.AdvertisedReceiverWindow);
        _cookieToEcho = cookie.ToArray();
        SetState(SctpAssociationState.CookieEchoed, null);
        SendCookieEcho();
        _t1Count = 0;
        _t1Deadline = now + _rto;
    }

    private void SendCookieEcho()
    {
        var cookie = _cookieToEcho!;
        var buffer = new byte[SctpPacketReader.HeaderLength + 4 + SctpPacketWriter.Padded(cookie.Length)];
        var w = new SctpPacketWriter(buffer, _options.LocalPort, _options.RemotePort, _peerTag);
        w.TryAddChunk(SctpChunkType.CookieEcho, 0, cookie);
        EnqueueControl(buffer, w.Finish());
    }

    private bool HandleCookieEcho(ReadOnlySpan<byte> cookie, uint tag, TimeSpan now)
    {
        var validity = ReadCookie(cookie, now, out var c);
        if (validity == CookieValidity.Invalid || tag != c.MyTag)
        {
            Statistics.PacketsDropped++;
            return false;
        }

        if (validity == CookieValidity.Stale)
        {
            // §5.1.5 step 3 / §3.3.10.3: say so, with how stale it is, so the peer starts over.
            Span<byte> staleness = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(staleness, (uint)Math.Min(uint.MaxValue, c.StalenessMicroseconds));
            var buffer = new byte[SctpPacketReader.HeaderLength + 12];
            var w = new SctpPacketWriter(buffer, _options.LocalPort, _options.RemotePort, c.PeerTag);
            w.TryAddErrorCause(SctpChunkType.Error, false, SctpErrorCauseCode.StaleCookie, staleness);
            EnqueueControl(buffer, w.Finish());
            return false;
        }

        if (_state == SctpAssociationState.Closed)
        {
            if (_closedForGood)
            {
                return false;
            }

            // No TCB: the cookie carries everything (§5.1.5).
            _myTag = c.MyTag;
            _myInitialTsn = c.MyInitialTsn;
            _tieTag = ((ulong)NewTag() << 32) | NewTag();
            InitSendState();
            AdoptPeer(c);
            SendCookieAck();
            BecomeEstablished(now);
            return true;
        }

        // §5.2.4 table 2.
        bool localMatches = c.MyTag == _myTag;
        bool peerMatches = c.PeerTag == _peerTag;
        if (localMatches && peerMatches)
        {
            // (D): a duplicate, or the collision completing.
            if (!IsEstablished)
            {
                _t1Deadline = null;
                _cookieToEcho = null;
                BecomeEstablished(now);
            }

            SendCookieAck();
            return true;
        }

        if (localMatches)
        {
            // (B): the peer's side of a collision; its tag wins.
            if (!IsEstablished)
            {
                AdoptPeer(c);
                _t1Deadline = null;
                _cookieToEcho = null;
                BecomeEstablished(now);
            }
            else
            {
                _peerTag = c.PeerTag;
            }

            SendCookieAck();
            return true;
        }

        // (A) is a peer restart. Over DTLS a restarted peer brings a new DTLS session, so a
        // restart inside one is an attack or a bug: discard it, as (C) and (E) say for the rest.
        Statistics.PacketsDropped++;
        return false;
    }

    private void AdoptPeer(in StateCookie c)
    {
        _peerTag = c.PeerTag;
        _peerInitialTsn = c.PeerInitialTsn;
        _outboundStreams = c.OutboundStreams;
        _inboundStreams = c.InboundStreams;
        _peerSupportsForwardTsn = c.PeerSupportsForwardTsn;
        _peerSupportsReconfig = c.PeerSupportsReconfig;
        InitReceiveState(c.PeerInitialTsn, c.PeerWindow);
    }

    private void SendCookieAck()
    {
        var buffer = new byte[SctpPacketReader.HeaderLength + 4];
        var w = new SctpPacketWriter(buffer, _options.LocalPort, _options.RemotePort, _peerTag);
        w.TryAddChunk(SctpChunkType.CookieAck, 0, default);
        EnqueueControl(buffer, w.Finish());
    }

    private void BecomeEstablished(TimeSpan now)
    {
        _errorCount = 0;
        SetState(SctpAssociationState.Established, null);
        _heartbeatDeadline = now + _options.HeartbeatInterval;
    }

    private void OnT1Expired(TimeSpan now)
    {
        _t1Deadline = null;
        if (_state is not (SctpAssociationState.CookieWait or SctpAssociationState.CookieEchoed))
        {
            return;
        }

        if (++_t1Count > _options.MaxInitRetransmissions)
        {
            Terminate(_state == SctpAssociationState.CookieWait ? "no answer to INIT" : "no answer to COOKIE ECHO");
            return;
        }

        _rto = Clamp(_rto * 2);
        if (_state == SctpAssociationState.CookieWait)
        {
            SendInit();
        }
        else
        {
            SendCookieEcho();
        }

        _t1Deadline = now + _rto;
    }

    private void TryProgressShutdown(TimeSpan now)
    {
        if (!AllDataAcknowledged)
        {
            return;
        }

        if (_state == SctpAssociationState.ShutdownPending)
        {
            SetState(SctpAssociationState.ShutdownSent, null);
            SendShutdown();
            _t2Count = 0;
            _t2Deadline = now + _rto;
        }
        else if (_state == SctpAssociationState.ShutdownReceived)
        {
            SetState(SctpAssociationState.ShutdownAckSent, null);
            SendShutdownAck();
            _t2Count = 0;
            _t2Deadline = now + _rto;
        }
    }

    private void HandleShutdown(uint cumulativeTsnAck, TimeSpan now)
    {
        switch (_state)
        {
            case SctpAssociationState.Established:
            case SctpAssociationState.ShutdownPending:
                ProcessCumulativeAck(cumulativeTsnAck, now);
                SetState(SctpAssociationState.ShutdownReceived, null);
                break;
            case SctpAssociationState.ShutdownReceived:
                ProcessCumulativeAck(cumulativeTsnAck, now);
                break;
            case SctpAssociationState.ShutdownSent:
                // §9.2: both sides shut down at once.
                SetState(SctpAssociationState.ShutdownAckSent, null);
                SendShutdownAck();
                _t2Count = 0;
                _t2Deadline = now + _rto;
                break;
        }
    }

    private void OnT2Expired(TimeSpan now)
    {
        _t2Deadline = null;
        if (++_t2Count > _options.MaxRetransmissions)
        {
            Terminate("no answer to SHUTDOWN");
            return;
        }

        _rto = Clamp(_rto * 2);
        if (_state == SctpAssociationState.ShutdownSent)
        {
            SendShutdown();
        }
        else if (_state == SctpAssociationState.ShutdownAckSent)
        {
            SendShutdownAck();
        }
        else
        {
            return;
        }

        _t2Deadline = now + _rto;
    }

    private void SendShutdown()
    {
        var buffer = new byte[SctpPacketReader.HeaderLength + 8];
        var w = new SctpPacketWriter(buffer, _options.LocalPort, _options.RemotePort, _peerTag);
        w.TryAddShutdown(_cumulativeReceived);
        EnqueueControl(buffer, w.Finish());
    }

    private void SendShutdownAck()
    {
        var buffer = new byte[SctpPacketReader.HeaderLength + 4];
        var w = new SctpPacketWriter(buffer, _options.LocalPort, _options.RemotePort, _peerTag);
        w.TryAddChunk(SctpChunkType.ShutdownAck, 0, default);
        EnqueueControl(buffer, w.Finish());
    }

    private void SendShutdownComplete(uint tag, bool reflected)
    {
        var buffer = new byte[SctpPacketReader.HeaderLength + 4];
        var w = new SctpPacketWriter(buffer, _options.LocalPort, _options.RemotePort, tag);
        w.TryAddChunk(SctpChunkType.ShutdownComplete, reflected ? (byte)1 : (byte)0, default);
        EnqueueControl(buffer, w.Finish());
    }

    private void SendHeartbeat(TimeSpan now)
    {
        _heartbeatDeadline = null;
        if (_state != SctpAssociationState.Established)
        {
            return;
        }

        // Heartbeat Info: when it was sent and a nonce, so only a real echo yields an RTT.
        _heartbeatNonce = ((ulong)NewTag() << 32) | NewTag();
        Span<byte> info = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(info, now.Ticks);
        BinaryPrimitives.WriteUInt64BigEndian(info[8..], _heartbeatNonce);
        var buffer = new byte[SctpPacketReader.HeaderLength + 24];
        var w = new SctpPacketWriter(buffer, _options.LocalPort, _options.RemotePort, _peerTag);
        w.TryAddHeartbeat(false, info);
        EnqueueControl(buffer, w.Finish());
        _heartbeatAckDeadline = now + _rto;
    }

    private void HandleHeartbeatAck(ReadOnlySpan<byte> value, TimeSpan now)
    {
        foreach (var p in SctpParameterEnumerator.Over(value))
        {
            if (p.Type != SctpParameterType.HeartbeatInfo || p.Value.Length != 16
                || BinaryPrimitives.ReadUInt64BigEndian(p.Value[8..]) != _heartbeatNonce || _heartbeatAckDeadline is null)
            {
                return;
            }

            var sent = TimeSpan.FromTicks(BinaryPrimitives.ReadInt64BigEndian(p.Value));
            if (sent <= now)
            {
                UpdateRtt(now - sent);
            }

            _heartbeatAckDeadline = null;
            _errorCount = 0;
            _heartbeatDeadline = now + _options.HeartbeatInterval;
            return;
        }
    }

    private byte[] CreateCookie(uint myTag, uint peerTag, uint myInitialTsn, uint peerInitialTsn, uint peerWindow,
        ushort outbound, ushort inbound, ulong tieTag, bool forwardTsn, bool reconfig, TimeSpan now)
    {
        var cookie = new byte[CookieLength];
        var s = cookie.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(s, CookieMagic);
        BinaryPrimitives.WriteUInt32BigEndian(s[4..], myTag);
        BinaryPrimitives.WriteUInt32BigEndian(s[8..], peerTag);
        BinaryPrimitives.WriteUInt32BigEndian(s[12..], myInitialTsn);
        BinaryPrimitives.WriteUInt32BigEndian(s[16..], peerInitialTsn);
        BinaryPrimitives.WriteUInt32BigEndian(s[20..], peerWindow);
        BinaryPrimitives.WriteUInt16BigEndian(s[24..], outbound);
        BinaryPrimitives.WriteUInt16BigEndian(s[26..], inbound);
        BinaryPrimitives.WriteInt64BigEndian(s[28..], now.Ticks);
        BinaryPrimitives.WriteUInt64BigEndian(s[36..], tieTag);
        BinaryPrimitives.WriteUInt32BigEndian(s[44..], (forwardTsn ? 1u : 0u) | (reconfig ? 2u : 0u));
        HMACSHA256.HashData(_cookieKey, s[..48], s[48..]);
        return cookie;
    }

    private enum CookieValidity
    {
        Valid,
        Invalid,
        Stale,
    }

    private CookieValidity ReadCookie(ReadOnlySpan<byte> cookie, TimeSpan now, out StateCookie result)
    {
        result = default;
        if (cookie.Length != CookieLength || BinaryPrimitives.ReadUInt32BigEndian(cookie) != CookieMagic)
        {
            return CookieValidity.Invalid;
        }

        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_cookieKey, cookie[..48], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac, cookie[48..]))
        {
            return CookieValidity.Invalid;
        }

        var created = TimeSpan.FromTicks(BinaryPrimitives.ReadInt64BigEndian(cookie[28..]));
        if (created > now)
        {
            return CookieValidity.Invalid;
        }

        uint caps = BinaryPrimitives.ReadUInt32BigEndian(cookie[44..]);
        var age = now - created;
        result = new StateCookie(
            BinaryPrimitives.ReadUInt32BigEndian(cookie[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(cookie[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(cookie[12..]),
            BinaryPrimitives.ReadUInt32BigEndian(cookie[16..]),
            BinaryPrimitives.ReadUInt32BigEndian(cookie[20..]),
            BinaryPrimitives.ReadUInt16BigEndian(cookie[24..]),
            BinaryPrimitives.ReadUInt16BigEndian(cookie[26..]),
            (caps & 1) != 0,
            (caps & 2) != 0,
            age > _options.CookieLifetime ? (long)(age - _options.CookieLifetime).TotalMicroseconds : 0);
        return age > _options.CookieLifetime ? CookieValidity.Stale : CookieValidity.Valid;
    }

    /// <summary>An ERROR chunk: a Stale Cookie cause while COOKIE-ECHOED sends us back to INIT (§5.2.6).</summary>
    private void HandleError(ReadOnlySpan<byte> value, TimeSpan now)
    {
        if (_state != SctpAssociationState.CookieEchoed)
        {
            return;
        }

        foreach (var cause in SctpParameterEnumerator.Over(value))
        {
            if ((SctpErrorCauseCode)(ushort)cause.Type == SctpErrorCauseCode.StaleCookie)
            {
                _cookieToEcho = null;
                _peerTag = 0;
                SetState(SctpAssociationState.CookieWait, null);
                SendInit();
                _t1Deadline = now + _rto;
                return;
            }
        }
    }

    private readonly record struct StateCookie(uint MyTag, uint PeerTag, uint MyInitialTsn, uint PeerInitialTsn, uint PeerWindow,
        ushort OutboundStreams, ushort InboundStreams, bool PeerSupportsForwardTsn, bool PeerSupportsReconfig, long StalenessMicroseconds);
}
