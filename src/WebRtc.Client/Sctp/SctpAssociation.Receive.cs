using System.Buffers;

namespace WebRtc.Client.Sctp;

// The receiving half: TSN tracking, reassembly, ordered delivery, SACK generation
// (RFC 9260 §6.2, §6.5, §6.9) and FORWARD-TSN (RFC 3758 §3.6).
public sealed partial class SctpAssociation
{
    private const int MaxTsnSpan = 1 << 16; // how far past the cumulative TSN we track arrivals
    private const int MaxGapBlocks = 64;
    private const int MaxDuplicatesReported = 16;

    private readonly int _receiveWindow;
    private readonly ulong[] _received = new ulong[MaxTsnSpan / 64];
    private readonly Dictionary<uint, ReceivedFragment> _fragments = new();
    private readonly Dictionary<ushort, InboundStream> _inboundStreamState = new();
    private readonly Queue<SctpReceivedMessage> _delivered = new();
    private readonly List<uint> _duplicates = new();
    private readonly List<uint> _scratchTsns = new();
    private readonly SctpGapAckBlock[] _gapScratch = new SctpGapAckBlock[MaxGapBlocks];
    private readonly uint[] _dupScratch = new uint[MaxDuplicatesReported];

    private uint _cumulativeReceived;
    private uint _highestReceived;
    private long _receiveBuffered;
    private long _lastAdvertisedWindow = long.MaxValue;
    private bool _sackNeeded;
    private int _packetsSinceSack;
    private TimeSpan? _delayedAckDeadline;

    /// <summary>The cumulative TSN received in sequence.</summary>
    public uint CumulativeTsnReceived => _cumulativeReceived;

    /// <summary>The a_rwnd we advertise now.</summary>
    public uint AdvertisedReceiveWindow => (uint)Math.Max(0, _receiveWindow - _receiveBuffered);

    /// <summary>Takes the next delivered message (dispose it when done).</summary>
    public bool TryReceive(out SctpReceivedMessage message)
    {
        if (_delivered.TryDequeue(out message))
        {
            _receiveBuffered -= message.Length;

            // A window that was mostly closed and is open again deserves a SACK, or the sender
            // waits for a T3 probe (RFC 9260 §6.2: window updates).
            if (_lastAdvertisedWindow < _receiveWindow / 2 && AdvertisedReceiveWindow >= _receiveWindow / 2 && IsEstablished)
            {
                _sackNeeded = true;
            }

            return true;
        }

        return false;
    }

    private void InitReceiveState(uint peerInitialTsn, uint peerWindow)
    {
        _cumulativeReceived = peerInitialTsn - 1;
        _highestReceived = _cumulativeReceived;
        _peerNextRequestSequence = peerInitialTsn;
        _peerRwnd = peerWindow;
        _ssthresh = peerWindow;
    }

    private void HandleData(SctpDataChunk data, TimeSpan now)
    {
        Statistics.DataChunksReceived++;
        if (!IsEstablished)
        {
            return;
        }

        uint tsn = data.Tsn;
        if ((data.Flags & SctpDataFlags.Immediate) != 0)
        {
            _sackNeeded = true;
        }

        if (TsnLessOrEqual(tsn, _cumulativeReceived) || IsReceived(tsn))
        {
            // §6.2: report duplicates, and SACK at once so the peer stops resending.
            Statistics.DuplicatesReceived++;
            if (_duplicates.Count < MaxDuplicatesReported)
            {
                _duplicates.Add(tsn);
            }

            _sackNeeded = true;
            return;
        }

        if (tsn - _cumulativeReceived >= MaxTsnSpan)
        {
            return;
        }

        // §6.2: with the window spent, only chunks that fill holes are taken.
        if (_receiveBuffered + data.UserData.Length > _receiveWindow && TsnLess(_highestReceived, tsn))
        {
            _sackNeeded = true;
            return;
        }

        if (_receiveBuffered + data.UserData.Length > 2L * _receiveWindow)
        {
            _sackNeeded = true;
            return;
        }

        MarkReceived(tsn);
        bool inOrder = TsnLess(_highestReceived, tsn) && tsn == _highestReceived + 1;
        if (TsnLess(_highestReceived, tsn))
        {
            _highestReceived = tsn;
        }
        else
        {
            _sackNeeded = true; // a hole got filled
        }

        if (!inOrder)
        {
            _sackNeeded = true;
        }

        AdvanceCumulative();
        if (TsnLess(_cumulativeReceived, _highestReceived))
        {
            _sackNeeded = true; // §6.7: gaps are reported at once
        }

        if (data.StreamId >= _inboundStreams)
        {
            return; // §6.5: acknowledged but discarded (an ERROR is optional)
        }

        var flags = data.Flags;
        if ((flags & (SctpDataFlags.Beginning | SctpDataFlags.End)) == (SctpDataFlags.Beginning | SctpDataFlags.End))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(data.UserData.Length);
            data.UserData.CopyTo(buffer);
            _receiveBuffered += data.UserData.Length;
            OnMessageComplete(new SctpReceivedMessage(data.StreamId, data.Ppid, (flags & SctpDataFlags.Unordered) != 0, buffer, data.UserData.Length), data.StreamSequence);
            return;
        }

        var fragment = ArrayPool<byte>.Shared.Rent(data.UserData.Length);
        data.UserData.CopyTo(fragment);
        _fragments[tsn] = new ReceivedFragment(data.StreamId, data.StreamSequence, data.Ppid, flags, fragment, data.UserData.Length);
        _receiveBuffered += data.UserData.Length;

        // A message can only complete with its last fragment, or with one that fills a hole.
        if ((flags & SctpDataFlags.End) != 0 || !inOrder)
        {
            TryReassemble(tsn);
        }
    }

    private void TryReassemble(uint tsn)
    {
        var at = _fragments[tsn];
        uint first = tsn;
        var probe = at;
        while ((probe.Flags & SctpDataFlags.Beginning) == 0)
        {
            if (!_fragments.TryGetValue(first - 1, out var previous) || (previous.Flags & SctpDataFlags.End) != 0 || !SameMessage(previous, at))
            {
                return;
            }

            first--;
            probe = previous;
        }

        uint last = tsn;
        probe = at;
        long total = 0;
        while ((probe.Flags & SctpDataFlags.End) == 0)
        {
            if (!_fragments.TryGetValue(last + 1, out var next) || (next.Flags & SctpDataFlags.Beginning) != 0 || !SameMessage(next, at))
            {
                return;
            }

            last++;
            probe = next;
        }

        for (uint t = first; t != last + 1; t++)
        {
            total += _fragments[t].Length;
        }

        if (total > _options.MaxReceiveMessageSize)
        {
            // Larger than our a=max-message-size: the peer broke the contract; drop it whole.
            for (uint t = first; t != last + 1; t++)
            {
                ReleaseFragment(t);
            }

            Statistics.PacketsDropped++;
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)total);
        int offset = 0;
        for (uint t = first; t != last + 1; t++)
        {
            var f = _fragments[t];
            f.Buffer.AsSpan(0, f.Length).CopyTo(buffer.AsSpan(offset));
            offset += f.Length;
            ReleaseFragment(t);
        }

        _receiveBuffered += total;
        OnMessageComplete(new SctpReceivedMessage(at.StreamId, at.Ppid, (at.Flags & SctpDataFlags.Unordered) != 0, buffer, (int)total), at.Ssn);
    }

    private static bool SameMessage(in ReceivedFragment a, in ReceivedFragment b) =>
        a.StreamId == b.StreamId && ((a.Flags ^ b.Flags) & SctpDataFlags.Unordered) == 0
        && ((a.Flags & SctpDataFlags.Unordered) != 0 || a.Ssn == b.Ssn);

    private void ReleaseFragment(uint tsn)
    {
        if (_fragments.Remove(tsn, out var f))
        {
            _receiveBuffered -= f.Length;
            ArrayPool<byte>.Shared.Return(f.Buffer);
        }
    }

    private void OnMessageComplete(SctpReceivedMessage message, ushort ssn)
    {
        if (message.Unordered)
        {
            Deliver(message);
            return;
        }

        var stream = GetInboundStream(message.StreamId);
        if (ssn == stream.NextSsn)
        {
            stream.NextSsn++;
            Deliver(message);
            DeliverInOrder(stream);
        }
        else if (SsnLessOrEqual(ssn, stream.NextSsn))
        {
            message.Dispose(); // older than what was delivered: a stale duplicate
            _receiveBuffered -= message.Length;
        }
        else if (!stream.Pending.TryAdd(ssn, message))
        {
            message.Dispose();
            _receiveBuffered -= message.Length;
        }
    }

    private void DeliverInOrder(InboundStream stream)
    {
        while (stream.Pending.Remove(stream.NextSsn, out var next))
        {
            stream.NextSsn++;
            Deliver(next);
        }
    }

    private void Deliver(SctpReceivedMessage message)
    {
        Statistics.MessagesReceived++;
        Statistics.BytesReceived += message.Length;
        _delivered.Enqueue(message);
    }

    private void HandleForwardTsn(SctpForwardTsnChunk forward)
    {
        _sackNeeded = true;
        if (!IsEstablished)
        {
            return;
        }

        uint newCum = forward.NewCumulativeTsn;

        // RFC 3758 §3.6: not ahead of us means out of date (its stream entries too). A message
        // abandoned half-sent always moves it ahead: the sender gives the missing end a TSN.
        if (!TsnLess(_cumulativeReceived, newCum))
        {
            return;
        }

        if (TsnLess(_highestReceived, newCum) && newCum - _highestReceived > MaxTsnSpan * 16u)
        {
            return; // absurdly far ahead of anything sent to us: a forged chunk
        }

        // Fragments up to the new point will never complete.
        if (_fragments.Count > 0)
        {
            _scratchTsns.Clear();
            foreach (var tsn in _fragments.Keys)
            {
                if (TsnLessOrEqual(tsn, newCum))
                {
                    _scratchTsns.Add(tsn);
                }
            }

            foreach (var tsn in _scratchTsns)
            {
                ReleaseFragment(tsn);
            }
        }

        if (newCum - _cumulativeReceived >= MaxTsnSpan)
        {
            Array.Clear(_received); // nothing past the old window can have been tracked
            _cumulativeReceived = newCum;
        }

        while (TsnLess(_cumulativeReceived, newCum))
        {
            _cumulativeReceived++;
            ClearReceived(_cumulativeReceived);
        }

        if (TsnLess(_highestReceived, _cumulativeReceived))
        {
            _highestReceived = _cumulativeReceived;
        }

        AdvanceCumulative();
        for (int i = 0; i < forward.StreamCount; i++)
        {
            var skipped = forward.GetStream(i);
            if (skipped.StreamId >= _inboundStreams)
            {
                continue;
            }

            var stream = GetInboundStream(skipped.StreamId);
            if (!SsnLessOrEqual(stream.NextSsn, skipped.StreamSequence))
            {
                continue; // already past it
            }

            // Complete messages up to the skipped SSN are still delivered, in order; then the
            // stream moves past it. Only pending messages are visited, never every SSN between.
            if (stream.Pending.Count > 0)
            {
                foreach (var ssn in stream.Pending.Keys.Where(k => SsnLessOrEqual(k, skipped.StreamSequence)).OrderBy(k => (ushort)(k - stream.NextSsn)).ToArray())
                {
                    stream.Pending.Remove(ssn, out var ready);
                    Deliver(ready);
                }
            }

            stream.NextSsn = (ushort)(skipped.StreamSequence + 1);
            DeliverInOrder(stream);
        }

        ProcessDeferredReset();
    }

    private void AfterDataReceived(TimeSpan now)
    {
        ProcessDeferredReset();
        _packetsSinceSack++;
        if (_packetsSinceSack >= 2 || _duplicates.Count > 0 || _state != SctpAssociationState.Established)
        {
            _sackNeeded = true;
        }

        if (_sackNeeded)
        {
            _delayedAckDeadline = null;
        }
        else
        {
            _delayedAckDeadline ??= now + _options.DelayedAckTimeout;
        }
    }

    private void WriteSack(ref SctpPacketWriter w)
    {
        int gaps = 0;
        uint tsn = _cumulativeReceived + 1;
        while (gaps < MaxGapBlocks && TsnLessOrEqual(tsn, _highestReceived))
        {
            while (TsnLessOrEqual(tsn, _highestReceived) && !IsReceived(tsn))
            {
                tsn++;
            }

            if (!TsnLessOrEqual(tsn, _highestReceived))
            {
                break;
            }

            uint start = tsn;
            while (TsnLessOrEqual(tsn + 1, _highestReceived) && IsReceived(tsn + 1))
            {
                tsn++;
            }

            uint startOffset = start - _cumulativeReceived;
            uint endOffset = tsn - _cumulativeReceived;
            if (endOffset > ushort.MaxValue)
            {
                break;
            }

            _gapScratch[gaps++] = new SctpGapAckBlock((ushort)startOffset, (ushort)endOffset);
            tsn++;
        }

        int dups = Math.Min(_duplicates.Count, MaxDuplicatesReported);
        for (int i = 0; i < dups; i++)
        {
            _dupScratch[i] = _duplicates[i];
        }

        // Fewer blocks if the packet is short of room (never happens at sane MTUs).
        while (!w.TryAddSack(_cumulativeReceived, AdvertisedReceiveWindow, _gapScratch.AsSpan(0, gaps), _dupScratch.AsSpan(0, dups)))
        {
            if (gaps == 0 && dups == 0)
            {
                return;
            }

            dups = 0;
            gaps /= 2;
        }

        _duplicates.Clear();
        _lastAdvertisedWindow = AdvertisedReceiveWindow;
        _sackNeeded = false;
        _delayedAckDeadline = null;
        _packetsSinceSack = 0;
    }

    private void AdvanceCumulative()
    {
        while (IsReceived(_cumulativeReceived + 1))
        {
            _cumulativeReceived++;
            ClearReceived(_cumulativeReceived);
        }
    }

    private bool IsReceived(uint tsn)
    {
        if (!TsnLess(_cumulativeReceived, tsn) || tsn - _cumulativeReceived >= MaxTsnSpan)
        {
            return false;
        }

        int bit = (int)(tsn & (MaxTsnSpan - 1));
        return (_received[bit >> 6] & (1UL << (bit & 63))) != 0;
    }

    private void MarkReceived(uint tsn)
    {
        int bit = (int)(tsn & (MaxTsnSpan - 1));
        _received[bit >> 6] |= 1UL << (bit & 63);
    }

    private void ClearReceived(uint tsn)
    {
        int bit = (int)(tsn & (MaxTsnSpan - 1));
        _received[bit >> 6] &= ~(1UL << (bit & 63));
    }

    private InboundStream GetInboundStream(ushort streamId)
    {
        if (!_inboundStreamState.TryGetValue(streamId, out var s))
        {
            s = new InboundStream();
            _inboundStreamState[streamId] = s;
        }

        return s;
    }

    private void ReleaseReceiveState()
    {
        foreach (var f in _fragments.Values)
        {
            ArrayPool<byte>.Shared.Return(f.Buffer);
        }

        _fragments.Clear();
        foreach (var s in _inboundStreamState.Values)
        {
            foreach (var m in s.Pending.Values)
            {
                m.Dispose();
            }

            s.Pending.Clear();
        }

        _receiveBuffered = _delivered.Sum(m => (long)m.Length);
    }

    private readonly record struct ReceivedFragment(ushort StreamId, ushort Ssn, uint Ppid, SctpDataFlags Flags, byte[] Buffer, int Length);

    private sealed class InboundStream
    {
        public ushort NextSsn;
        public readonly Dictionary<ushort, SctpReceivedMessage> Pending = new();
    }
}
