using System.Buffers;

namespace WebRtc.Client.Sctp;

// The sending half: queueing, fragmentation, SACK processing, retransmission (RFC 9260 §6,
// §7), congestion control (§7.2) and partial reliability (RFC 3758).
public sealed partial class SctpAssociation
{
    private readonly int _mtu;
    private readonly Queue<OutgoingMessage> _sendQueue = new();
    private readonly Stack<OutgoingMessage> _messagePool = new();
    private readonly Dictionary<ushort, OutboundStream> _outboundStreamState = new();
    private readonly HashSet<ushort> _bufferedChanged = new();
    private readonly Dictionary<ushort, ushort> _skippedScratch = new();
    private SctpSkippedStream[] _skippedArray = new SctpSkippedStream[16];

    // Chunks sent and not yet cumulatively acknowledged, indexed by TSN - (_cumAckedByPeer + 1).
    private InFlightChunk[] _ring = new InFlightChunk[256];
    private int _ringHead;
    private int _ringCount;
    private int _retransmitPending;

    private uint _nextTsn;
    private uint _cumAckedByPeer;
    private uint _advancedPeerAckPoint;
    private long _cwnd;
    private long _ssthresh;
    private long _partialBytesAcked;
    private long _flightSize;
    private long _peerRwnd;
    private long _bufferedTotal;
    private bool _fastRecovery;
    private uint _fastRecoveryExit;
    private bool _fastRetransmitNow;
    private bool _forwardTsnNeeded;
    private TimeSpan? _t3Deadline;
    private TimeSpan _rto;
    private TimeSpan? _srtt;
    private TimeSpan _rttvar;
    private uint? _rttProbeTsn;

    private enum ChunkState : byte
    {
        InFlight,
        Retransmit,
        Acked,
        Abandoned,
    }

    private int InitialCwnd => Math.Min(4 * _mtu, Math.Max(2 * _mtu, 4380));

    /// <summary>Bytes queued by <see cref="Send"/> and not yet sent once, over all streams.</summary>
    public long BufferedAmount => _bufferedTotal;

    /// <summary>The congestion window in bytes.</summary>
    public long CongestionWindow => _cwnd;

    /// <summary>The slow-start threshold in bytes.</summary>
    public long SlowStartThreshold => _ssthresh;

    /// <summary>Bytes in flight.</summary>
    public long FlightSize => _flightSize;

    /// <summary>What the peer's receive window has room for, as we last learned it.</summary>
    public long PeerReceiveWindow => _peerRwnd;

    /// <summary>The smoothed round-trip time, once measured.</summary>
    public TimeSpan? SmoothedRtt => _srtt;

    /// <summary>The current retransmission timeout.</summary>
    public TimeSpan RetransmissionTimeout => _rto;

    private bool AllDataAcknowledged => _sendQueue.Count == 0 && _ringCount == 0;

    /// <summary>
    /// Queues one user message. It is copied, so <paramref name="data"/> may be reused at once.
    /// Throws when the association cannot send any more, the message is empty or larger than
    /// the peer accepts, or the stream is being reset.
    /// </summary>
    public void Send(ushort streamId, uint ppid, ReadOnlySpan<byte> data, SctpSendOptions options, TimeSpan now)
    {
        if (_closedForGood || _state is SctpAssociationState.ShutdownPending or SctpAssociationState.ShutdownSent
                or SctpAssociationState.ShutdownReceived or SctpAssociationState.ShutdownAckSent)
        {
            throw new InvalidOperationException($"The SCTP association cannot send in state {_state}{(CloseReason is null ? string.Empty : " (" + CloseReason + ")")}.");
        }

        if (data.IsEmpty)
        {
            throw new ArgumentException("SCTP cannot carry an empty message (RFC 9260 §3.3.1); WebRTC sends one byte with PPID 56 or 57 instead.", nameof(data));
        }

        if (_options.MaxSendMessageSize > 0 && data.Length > _options.MaxSendMessageSize)
        {
            throw new ArgumentException($"The message is {data.Length} bytes; the peer accepts at most {_options.MaxSendMessageSize} (its max-message-size).", nameof(data));
        }

        if (IsEstablished && streamId >= _outboundStreams)
        {
            throw new ArgumentOutOfRangeException(nameof(streamId), streamId, $"Only {_outboundStreams} outbound streams were negotiated.");
        }

        if (options.MaxRetransmits < 0 || options.Lifetime < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxRetransmits and Lifetime cannot be negative.");
        }

        var stream = GetOutboundStream(streamId);
        if (stream.ResetQueued || stream.ResetInFlight)
        {
            throw new InvalidOperationException($"Stream {streamId} is being reset.");
        }

        var msg = _messagePool.Count > 0 ? _messagePool.Pop() : new OutgoingMessage();
        msg.Buffer = ArrayPool<byte>.Shared.Rent(data.Length);
        data.CopyTo(msg.Buffer);
        msg.Length = data.Length;
        msg.StreamId = streamId;
        msg.Ppid = ppid;
        msg.Unordered = options.Unordered;
        msg.MaxRetransmits = options.MaxRetransmits ?? -1;
        msg.Expiry = options.Lifetime is { } life ? now + life : TimeSpan.MaxValue;
        msg.Sent = 0;
        msg.Outstanding = 0;
        msg.Abandoned = false;
        msg.InQueue = true;
        _sendQueue.Enqueue(msg);
        stream.Buffered += data.Length;
        stream.QueuedMessages++;
        _bufferedTotal += data.Length;
        Statistics.MessagesSent++;
    }

    /// <summary>Bytes of <paramref name="streamId"/> queued and not yet sent once (bufferedAmount).</summary>
    public long GetBufferedAmount(ushort streamId) =>
        _outboundStreamState.TryGetValue(streamId, out var s) ? s.Buffered : 0;

    /// <summary>Moves the streams whose buffered amount went down since the last call into <paramref name="streams"/>.</summary>
    public void CollectBufferedAmountChanges(List<ushort> streams)
    {
        foreach (ushort s in _bufferedChanged)
        {
            streams.Add(s);
        }

        _bufferedChanged.Clear();
    }

    /// <summary>
    /// Writes the next packet to send into <paramref name="buffer"/> (at least
    /// <see cref="SctpAssociationOptions.MaxPacketSize"/> bytes) and returns its length, or 0
    /// when there is nothing to send now. Call until it returns 0.
    /// </summary>
    public int PollTransmit(Span<byte> buffer, TimeSpan now)
    {
        if (_controlPackets.TryDequeue(out var control))
        {
            if (control.Length > buffer.Length)
            {
                return 0;
            }

            control.CopyTo(buffer);
            Statistics.PacketsSent++;
            return control.Length;
        }

        if (!IsEstablished || _peerTag == 0)
        {
            return 0;
        }

        var w = new SctpPacketWriter(buffer[..Math.Min(buffer.Length, _mtu)], _options.LocalPort, _options.RemotePort, _peerTag);
        if (_sackNeeded)
        {
            WriteSack(ref w);
        }

        WriteReconfig(ref w, now);
        if (_forwardTsnNeeded)
        {
            WriteForwardTsn(ref w, now);
        }

        if (_retransmitPending > 0)
        {
            WriteRetransmissions(ref w, now);
        }

        if (_state is SctpAssociationState.Established or SctpAssociationState.ShutdownPending or SctpAssociationState.ShutdownReceived)
        {
            WriteNewData(ref w, now);
        }

        if (!w.HasChunks)
        {
            return 0;
        }

        Statistics.PacketsSent++;
        return w.Finish();
    }

    private void WriteNewData(ref SctpPacketWriter w, TimeSpan now)
    {
        while (_sendQueue.Count > 0 && _flightSize < _cwnd)
        {
            var msg = _sendQueue.Peek();
            if (msg.Abandoned || (msg.Sent == 0 && (msg.Expiry <= now || msg.StreamId >= _outboundStreams)))
            {
                // Never sent and already past its lifetime (or on a stream that does not exist): drop without a TSN.
                if (!msg.Abandoned)
                {
                    AbandonMessage(msg);
                }

                DequeueHead(msg);
                continue;
            }

            int remaining = msg.Length - msg.Sent;
            int room = (w.Remaining & ~3) - SctpDataChunk.HeaderLength;
            int length = Math.Min(remaining, room);

            // Rather a fresh packet than a tiny fragment behind other chunks.
            if (length <= 0 || (length < remaining && length < 256 && w.HasChunks))
            {
                break;
            }

            if (length > _peerRwnd && _flightSize > 0)
            {
                break; // §6.1 rule B; with nothing in flight one chunk probes a zero window (rule A)
            }

            var stream = GetOutboundStream(msg.StreamId);
            if (msg.Sent == 0)
            {
                msg.Ssn = msg.Unordered ? (ushort)0 : stream.NextSsn++;
                msg.FirstTsn = _nextTsn;
            }

            var flags = SctpDataFlags.None;
            if (msg.Sent == 0)
            {
                flags |= SctpDataFlags.Beginning;
            }

            if (msg.Sent + length == msg.Length)
            {
                flags |= SctpDataFlags.End;
            }

            if (msg.Unordered)
            {
                flags |= SctpDataFlags.Unordered;
            }

            uint tsn = _nextTsn++;
            w.TryAddData(flags, tsn, msg.StreamId, msg.Ssn, msg.Ppid, msg.Buffer.AsSpan(msg.Sent, length));
            ref var chunk = ref PushChunk();
            chunk = new InFlightChunk
            {
                Message = msg,
                Offset = msg.Sent,
                Length = length,
                Flags = flags,
                SentAt = now,
                Transmits = 1,
                State = ChunkState.InFlight,
            };
            msg.Sent += length;
            msg.Outstanding++;
            _flightSize += length;
            _peerRwnd = Math.Max(0, _peerRwnd - length);
            stream.Buffered -= length;
            _bufferedTotal -= length;
            _bufferedChanged.Add(msg.StreamId);
            Statistics.DataChunksSent++;
            Statistics.BytesSent += length;
            if (_rttProbeTsn is null)
            {
                _rttProbeTsn = tsn;
            }

            _t3Deadline ??= now + _rto;
            if (msg.Sent == msg.Length)
            {
                DequeueHead(msg);
            }
        }
    }

    private void DequeueHead(OutgoingMessage msg)
    {
        _sendQueue.Dequeue();
        msg.InQueue = false;
        GetOutboundStream(msg.StreamId).QueuedMessages--;
        ReleaseIfDone(msg);
    }

    private void WriteRetransmissions(ref SctpPacketWriter w, TimeSpan now)
    {
        bool exempt = _fastRetransmitNow;
        _fastRetransmitNow = false;
        for (int i = 0; i < _ringCount && _retransmitPending > 0; i++)
        {
            ref var c = ref _ring[(_ringHead + i) & (_ring.Length - 1)];
            if (c.State != ChunkState.Retransmit)
            {
                continue;
            }

            var msg = c.Message!;
            if (ShouldAbandon(msg, c, now))
            {
                AbandonMessage(msg);
                AdvancePeerAckPoint();
                continue;
            }

            if (!exempt && _flightSize >= _cwnd)
            {
                return;
            }

            if (SctpPacketWriter.Padded(SctpDataChunk.HeaderLength + c.Length) > w.Remaining)
            {
                return;
            }

            uint tsn = _cumAckedByPeer + 1 + (uint)i;
            w.TryAddData(c.Flags, tsn, msg.StreamId, msg.Ssn, msg.Ppid, msg.Buffer.AsSpan(c.Offset, c.Length));
            c.State = ChunkState.InFlight;
            c.Transmits++;
            c.SentAt = now;
            c.Misses = 0;
            _retransmitPending--;
            _flightSize += c.Length;
            Statistics.Retransmissions++;
            _t3Deadline ??= now + _rto;
        }
    }

    private static bool ShouldAbandon(OutgoingMessage msg, in InFlightChunk chunk, TimeSpan now) =>
        msg.Abandoned || (msg.MaxRetransmits >= 0 && chunk.Transmits > msg.MaxRetransmits) || msg.Expiry <= now;

    private void AbandonMessage(OutgoingMessage msg)
    {
        msg.Abandoned = true;
        Statistics.MessagesAbandoned++;
        if (msg.Sent > 0)
        {
            for (uint tsn = msg.FirstTsn; TsnLess(tsn, _nextTsn); tsn++)
            {
                if (TsnLessOrEqual(tsn, _cumAckedByPeer))
                {
                    continue;
                }

                ref var c = ref ChunkAt(tsn);
                if (c.Message != msg)
                {
                    break;
                }

                if (c.State == ChunkState.InFlight)
                {
                    _flightSize -= c.Length;
                }
                else if (c.State == ChunkState.Retransmit)
                {
                    _retransmitPending--;
                }

                c.State = ChunkState.Abandoned;
            }
        }

        int unsent = msg.Length - msg.Sent;
        if (unsent > 0)
        {
            var stream = GetOutboundStream(msg.StreamId);
            stream.Buffered -= unsent;
            _bufferedTotal -= unsent;
            _bufferedChanged.Add(msg.StreamId);
            if (msg.Sent > 0)
            {
                // Fragments get TSNs only when sent, so a half-sent message has no TSN for its
                // end. Give it one, never sent and abandoned at once: the FORWARD-TSN that skips
                // it tells the peer to drop the fragments it holds and to pass this SSN.
                ref var placeholder = ref PushChunk();
                placeholder = new InFlightChunk
                {
                    Message = msg,
                    Flags = SctpDataFlags.End | (msg.Unordered ? SctpDataFlags.Unordered : 0),
                    State = ChunkState.Abandoned,
                };
                _nextTsn++;
                msg.Outstanding++;
                msg.Sent = msg.Length;
            }
        }
    }

    private void AdvancePeerAckPoint()
    {
        // RFC 3758 §3.5 C1/C2.
        if (TsnLess(_advancedPeerAckPoint, _cumAckedByPeer))
        {
            _advancedPeerAckPoint = _cumAckedByPeer;
        }

        while (TsnLess(_advancedPeerAckPoint + 1, _nextTsn) && ChunkAt(_advancedPeerAckPoint + 1).State == ChunkState.Abandoned)
        {
            _advancedPeerAckPoint++;
        }

        if (TsnLess(_cumAckedByPeer, _advancedPeerAckPoint) && _peerSupportsForwardTsn)
        {
            _forwardTsnNeeded = true;
        }
    }

    private void WriteForwardTsn(ref SctpPacketWriter w, TimeSpan now)
    {
        if (!TsnLess(_cumAckedByPeer, _advancedPeerAckPoint))
        {
            _forwardTsnNeeded = false;
            return;
        }

        // The largest skipped SSN of each ordered stream (RFC 3758 §3.2).
        _skippedScratch.Clear();
        for (uint tsn = _cumAckedByPeer + 1; TsnLessOrEqual(tsn, _advancedPeerAckPoint); tsn++)
        {
            var msg = ChunkAt(tsn).Message!;
            if (!msg.Unordered)
            {
                _skippedScratch[msg.StreamId] = msg.Ssn;
            }
        }

        if (_skippedArray.Length < _skippedScratch.Count)
        {
            _skippedArray = new SctpSkippedStream[Math.Max(_skippedScratch.Count, _skippedArray.Length * 2)];
        }

        int n = 0;
        foreach (var (stream, ssn) in _skippedScratch)
        {
            _skippedArray[n++] = new SctpSkippedStream(stream, ssn);
        }

        if (w.TryAddForwardTsn(_advancedPeerAckPoint, _skippedArray.AsSpan(0, n)))
        {
            _forwardTsnNeeded = false;
            _t3Deadline ??= now + _rto;
        }
    }

    private void HandleSack(SctpSackChunk sack, TimeSpan now)
    {
        uint cum = sack.CumulativeTsnAck;
        if (!IsEstablished || TsnLess(cum, _cumAckedByPeer) || !TsnLess(cum, _nextTsn))
        {
            return; // §6.2.1 D i: out of date; or it acknowledges what we never sent
        }

        long flightBefore = _flightSize;
        bool cumAdvanced = TsnLess(_cumAckedByPeer, cum);
        long cumBytes = ProcessCumulativeAck(cum, now);
        uint highestNewlyAcked = cumAdvanced ? cum : 0;
        bool anyNewlyAcked = cumAdvanced;

        // Gap blocks: must ascend without overlap; the rest of a malformed list is ignored.
        int previousEnd = 0;
        for (int b = 0; b < sack.GapBlockCount; b++)
        {
            var gap = sack.GetGapBlock(b);
            if (gap.Start == 0 || gap.Start > gap.End || gap.Start <= previousEnd)
            {
                break;
            }

            previousEnd = gap.End;
            for (int offset = gap.Start; offset <= gap.End; offset++)
            {
                uint tsn = cum + (uint)offset;
                if (!TsnLess(tsn, _nextTsn))
                {
                    break;
                }

                ref var c = ref ChunkAt(tsn);
                if (c.State == ChunkState.InFlight)
                {
                    _flightSize -= c.Length;
                }
                else if (c.State == ChunkState.Retransmit)
                {
                    _retransmitPending--;
                }
                else
                {
                    continue;
                }

                c.State = ChunkState.Acked;
                if (_rttProbeTsn == tsn)
                {
                    SampleRtt(c, now);
                }

                highestNewlyAcked = !anyNewlyAcked || TsnLess(highestNewlyAcked, tsn) ? tsn : highestNewlyAcked;
                anyNewlyAcked = true;
            }
        }

        // §7.2.4: a miss indication for every outstanding TSN below the highest newly acked one.
        bool fastRetransmit = false;
        if (anyNewlyAcked && sack.GapBlockCount > 0)
        {
            for (int i = 0; i < _ringCount; i++)
            {
                uint tsn = _cumAckedByPeer + 1 + (uint)i;
                if (!TsnLess(tsn, highestNewlyAcked))
                {
                    break;
                }

                ref var c = ref _ring[(_ringHead + i) & (_ring.Length - 1)];
                if (c.State == ChunkState.InFlight && !c.FastRetransmitted && ++c.Misses >= 3)
                {
                    c.State = ChunkState.Retransmit;
                    c.FastRetransmitted = true;
                    c.Misses = 0;
                    _flightSize -= c.Length;
                    _retransmitPending++;
                    fastRetransmit = true;
                }
            }
        }

        if (cumAdvanced)
        {
            _errorCount = 0;
            if (_fastRecovery && !TsnLess(cum, _fastRecoveryExit))
            {
                _fastRecovery = false;
            }

            if (!_fastRecovery)
            {
                bool fullyUsed = flightBefore + _mtu >= _cwnd;
                if (_cwnd <= _ssthresh)
                {
                    if (fullyUsed)
                    {
                        _cwnd += Math.Min(cumBytes, _mtu); // §7.2.1 slow start
                    }
                }
                else
                {
                    _partialBytesAcked += cumBytes; // §7.2.2 congestion avoidance
                    if (_partialBytesAcked >= _cwnd && fullyUsed)
                    {
                        _partialBytesAcked -= _cwnd;
                        _cwnd += _mtu;
                    }
                }
            }
        }

        if (fastRetransmit)
        {
            Statistics.FastRetransmits++;
            if (!_fastRecovery)
            {
                // §7.2.3 / §7.2.4: halve, and stay in fast recovery until everything outstanding now is acked.
                _ssthresh = Math.Max(_cwnd / 2, 4L * _mtu);
                _cwnd = _ssthresh;
                _partialBytesAcked = 0;
                _fastRecovery = true;
                _fastRecoveryExit = _nextTsn - 1;
            }

            _fastRetransmitNow = true;
            _rttProbeTsn = null;
        }

        _peerRwnd = Math.Max(0, (long)sack.AdvertisedReceiverWindow - _flightSize);
        if (_flightSize == 0 && _retransmitPending == 0 && !TsnLess(_cumAckedByPeer, _advancedPeerAckPoint))
        {
            _t3Deadline = null;
        }
        else if (cumAdvanced)
        {
            _t3Deadline = now + _rto;
        }

        AdvancePeerAckPoint();
    }

    /// <summary>Moves the cumulative ack point and frees what it covers; returns newly acked bytes.</summary>
    private long ProcessCumulativeAck(uint cum, TimeSpan now)
    {
        long bytes = 0;
        if (!TsnLess(cum, _nextTsn))
        {
            return 0;
        }

        while (TsnLess(_cumAckedByPeer, cum) && _ringCount > 0)
        {
            ref var c = ref _ring[_ringHead];
            uint tsn = _cumAckedByPeer + 1;
            switch (c.State)
            {
                case ChunkState.InFlight:
                    _flightSize -= c.Length;
                    bytes += c.Length;
                    break;
                case ChunkState.Retransmit:
                    _retransmitPending--;
                    bytes += c.Length;
                    break;
            }

            if (_rttProbeTsn == tsn)
            {
                SampleRtt(c, now);
            }

            var msg = c.Message!;
            c = default;
            _ringHead = (_ringHead + 1) & (_ring.Length - 1);
            _ringCount--;
            _cumAckedByPeer = tsn;
            msg.Outstanding--;
            ReleaseIfDone(msg);
        }

        return bytes;
    }

    private void SampleRtt(in InFlightChunk chunk, TimeSpan now)
    {
        _rttProbeTsn = null;
        if (chunk.Transmits == 1 && now >= chunk.SentAt)
        {
            UpdateRtt(now - chunk.SentAt); // Karn: only chunks sent once
        }
    }

    private void UpdateRtt(TimeSpan r)
    {
        // RFC 9260 §6.3.1 with RTO.Alpha = 1/8, RTO.Beta = 1/4.
        if (_srtt is not { } srtt)
        {
            _srtt = r;
            _rttvar = r / 2;
        }
        else
        {
            _rttvar = (_rttvar * 3 / 4) + ((srtt - r).Duration() / 4);
            _srtt = (srtt * 7 / 8) + (r / 8);
        }

        var granularity = TimeSpan.FromMilliseconds(1);
        _rto = Clamp(_srtt.Value + (_rttvar * 4 > granularity ? _rttvar * 4 : granularity));
    }

    private void OnT3Expired(TimeSpan now)
    {
        _t3Deadline = null;
        if (_ringCount == 0 || !IsEstablished)
        {
            return;
        }

        // §6.3.3 E1-E3 and §7.2.3.
        Statistics.T3Expirations++;
        _ssthresh = Math.Max(_cwnd / 2, 4L * _mtu);
        _cwnd = _mtu;
        _partialBytesAcked = 0;
        _fastRecovery = false;
        _rto = Clamp(_rto * 2);
        _rttProbeTsn = null;
        CountError("T3-rtx");
        if (_closedForGood)
        {
            return;
        }

        for (int i = 0; i < _ringCount; i++)
        {
            ref var c = ref _ring[(_ringHead + i) & (_ring.Length - 1)];
            if (c.State == ChunkState.InFlight)
            {
                c.State = ChunkState.Retransmit;
                _flightSize -= c.Length;
                _retransmitPending++;
            }
        }

        for (int i = 0; i < _ringCount; i++)
        {
            ref var c = ref _ring[(_ringHead + i) & (_ring.Length - 1)];
            if (c.State == ChunkState.Retransmit && ShouldAbandon(c.Message!, c, now))
            {
                AbandonMessage(c.Message!);
            }
        }

        AdvancePeerAckPoint();
        _t3Deadline = now + _rto;
    }

    private ref InFlightChunk PushChunk()
    {
        if (_ringCount == _ring.Length)
        {
            var bigger = new InFlightChunk[_ring.Length * 2];
            for (int i = 0; i < _ringCount; i++)
            {
                bigger[i] = _ring[(_ringHead + i) & (_ring.Length - 1)];
            }

            _ring = bigger;
            _ringHead = 0;
        }

        return ref _ring[(_ringHead + _ringCount++) & (_ring.Length - 1)];
    }

    private ref InFlightChunk ChunkAt(uint tsn) =>
        ref _ring[(_ringHead + (int)(tsn - _cumAckedByPeer - 1)) & (_ring.Length - 1)];

    private OutboundStream GetOutboundStream(ushort streamId)
    {
        if (!_outboundStreamState.TryGetValue(streamId, out var s))
        {
            s = new OutboundStream();
            _outboundStreamState[streamId] = s;
        }

        return s;
    }

    private void ReleaseIfDone(OutgoingMessage msg)
    {
        if (msg.InQueue || msg.Outstanding > 0 || msg.Buffer.Length == 0)
        {
            return;
        }

        ArrayPool<byte>.Shared.Return(msg.Buffer);
        msg.Buffer = [];
        _messagePool.Push(msg);
    }

    private void InitSendState()
    {
        _nextTsn = _myInitialTsn;
        _cumAckedByPeer = _myInitialTsn - 1;
        _advancedPeerAckPoint = _cumAckedByPeer;
        _nextRequestSequence = _myInitialTsn;
    }

    private void ReleaseSendState()
    {
        while (_sendQueue.TryDequeue(out var msg))
        {
            msg.InQueue = false;
            msg.Outstanding = 0;
            ReleaseIfDone(msg);
        }

        for (int i = 0; i < _ringCount; i++)
        {
            ref var c = ref _ring[(_ringHead + i) & (_ring.Length - 1)];
            if (c.Message is { } m)
            {
                m.Outstanding = 0;
                ReleaseIfDone(m);
            }

            c = default;
        }

        _ringCount = 0;
        _retransmitPending = 0;
        _flightSize = 0;
        _bufferedTotal = 0;
        foreach (var (id, stream) in _outboundStreamState)
        {
            if (stream.Buffered != 0)
            {
                stream.Buffered = 0;
                _bufferedChanged.Add(id);
            }
        }
    }

    private sealed class OutgoingMessage
    {
        public byte[] Buffer = [];
        public int Length;
        public ushort StreamId;
        public uint Ppid;
        public bool Unordered;
        public int MaxRetransmits;
        public TimeSpan Expiry;
        public int Sent;
        public int Outstanding;
        public ushort Ssn;
        public uint FirstTsn;
        public bool Abandoned;
        public bool InQueue;
    }

    private struct InFlightChunk
    {
        public OutgoingMessage? Message;
        public int Offset;
        public int Length;
        public TimeSpan SentAt;
        public int Transmits;
        public SctpDataFlags Flags;
        public ChunkState State;
        public byte Misses;
        public bool FastRetransmitted;
    }

    private sealed class OutboundStream
    {
        public ushort NextSsn;
        public long Buffered;
        public int QueuedMessages;
        public bool ResetQueued;
        public bool ResetInFlight;
    }
}

public sealed partial class SctpAssociation
{
    /// <summary>A one-line summary of the sender and receiver state, for logs and failing tests.</summary>
    public string DescribeState()
    {
        var first = _ringCount > 0 ? _ring[_ringHead] : default;
        return $"{_state} nextTsn={_nextTsn} cumAckedByPeer={_cumAckedByPeer} adv={_advancedPeerAckPoint} outstanding={_ringCount} " +
            $"rtxPending={_retransmitPending} flight={_flightSize} cwnd={_cwnd} ssthresh={_ssthresh} peerRwnd={_peerRwnd} rto={_rto.TotalMilliseconds}ms " +
            $"first=[{first.State} tx={first.Transmits} len={first.Length} abandoned={first.Message?.Abandoned}] queue={_sendQueue.Count} " +
            $"cumReceived={_cumulativeReceived} highestReceived={_highestReceived} rxBuffered={_receiveBuffered} fragments={_fragments.Count} errors={_errorCount}" +
            DescribeReceiveQueues();
    }

    private string DescribeReceiveQueues()
    {
        var sb = new System.Text.StringBuilder();
        foreach (var (id, stream) in _inboundStreamState)
        {
            if (stream.Pending.Count > 0)
            {
                sb.Append(" stream").Append(id).Append("[next=").Append(stream.NextSsn).Append(" pending=").Append(stream.Pending.Count).Append(" min=").Append(stream.Pending.Keys.Min()).Append(']');
            }
        }

        foreach (var g in _fragments.GroupBy(f => (f.Value.StreamId, f.Value.Ssn, Unordered: (f.Value.Flags & SctpDataFlags.Unordered) != 0)))
        {
            sb.Append(" frag[s").Append(g.Key.StreamId).Append(" ssn").Append(g.Key.Ssn).Append(g.Key.Unordered ? " U" : " O")
              .Append(" n=").Append(g.Count()).Append(" tsn ").Append(g.Min(x => x.Key)).Append("..").Append(g.Max(x => x.Key))
              .Append(" B=").Append(g.Count(x => (x.Value.Flags & SctpDataFlags.Beginning) != 0))
              .Append(" E=").Append(g.Count(x => (x.Value.Flags & SctpDataFlags.End) != 0)).Append(']');
        }

        return sb.ToString();
    }
}
