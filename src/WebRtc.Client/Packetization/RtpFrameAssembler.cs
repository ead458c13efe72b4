using WebRtc.Client.Rtp;

namespace WebRtc.Client.Packetization;

/// <summary>One frame out of <see cref="RtpFrameAssembler"/>.</summary>
/// <param name="Timestamp">The RTP timestamp of the frame.</param>
/// <param name="FirstSequenceNumber">Extended sequence number of its first packet (of the first packet after the gap for an incomplete frame).</param>
/// <param name="Length">Bytes written to the frame buffer (0 for an incomplete frame).</param>
/// <param name="IsComplete">False when packets were lost: the frame is reported, not delivered (the hook for NACK/PLI).</param>
/// <param name="IsKeyFrame">The depacketizer saw a keyframe start.</param>
public readonly record struct AssembledFrame(uint Timestamp, long FirstSequenceNumber, int Length, bool IsComplete, bool IsKeyFrame);

/// <summary>
/// Receive-side frame assembly: packets are kept by sequence number, and a frame is emitted
/// whole once every packet from its start to its end (marker bit or the format's end signal) has
/// arrived, in order of sequence. A hole is given up on, and the frame(s) it spoils reported as
/// incomplete, once more than the reorder tolerance of packets
/// arrived after it with a later frame complete, when the window overflows, or when
/// <see cref="SkipMissing"/> says so (a jitter buffer's timer). Duplicates and packets older than what
/// was emitted are dropped. The stream starts at the first packet received (earlier packets
/// that arrive after a frame was emitted count as late).
/// </summary>
public sealed class RtpFrameAssembler
{
    private readonly IRtpDepacketizer _depacketizer;
    private readonly Slot[] _slots;
    private readonly byte[] _frame;
    private const long SequenceBase = 1L << 32;
    private RtpSequenceUnwrapper _unwrapper;
    private long _next = -1;   // first sequence number not yet emitted or skipped
    private long _highest = -1;
    private bool _emittedAny;
    private readonly int _reorderTolerance;

    /// <summary>Creates an assembler keeping up to <paramref name="capacity"/> packets of at most <paramref name="maxPacketSize"/> bytes each.</summary>
    public RtpFrameAssembler(IRtpDepacketizer depacketizer, int capacity = 512, int maxPacketSize = 1500, int maxFrameSize = 4 << 20, int reorderTolerance = 16)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(reorderTolerance);
        _reorderTolerance = reorderTolerance;
        ArgumentNullException.ThrowIfNull(depacketizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        _depacketizer = depacketizer;
        _slots = new Slot[capacity];
        for (int i = 0; i < capacity; i++)
        {
            _slots[i] = new Slot(maxPacketSize);
        }

        _frame = new byte[maxFrameSize];
    }

    /// <summary>Raised for each frame, complete or not, in order. The data span is valid only during the call.</summary>
    public event FrameHandler? Frame;

    /// <summary>Receives an assembled frame and its bytes (empty for an incomplete frame).</summary>
    public delegate void FrameHandler(in AssembledFrame frame, ReadOnlySpan<byte> data);

    /// <summary>Packets dropped as duplicates or too late.</summary>
    public long DroppedPackets { get; private set; }

    /// <summary>Packets the depacketizer refused.</summary>
    public long MalformedPackets { get; private set; }

    /// <summary>Adds one parsed RTP packet; frames it completes are raised before this returns.</summary>
    public void Push(in RtpPacket packet)
    {
        if (!_depacketizer.TryGetInfo(packet.Payload, out var info) || packet.Payload.Length > _slots[0].Data.Length)
        {
            MalformedPackets++;
            return;
        }

        // Unwrapped values go below the first one when an older packet arrives across the wrap (65535 after 3):
        // offset them so slot indexes and the -1 sentinels stay valid (a negative index threw here).
        long seq = _unwrapper.Unwrap(packet.SequenceNumber) + SequenceBase;
        if (_next < 0 || (!_emittedAny && seq < _next && _highest - seq < _slots.Length))
        {
            _next = seq;
        }

        if (seq < _next)
        {
            DroppedPackets++;
            return;
        }

        var slot = _slots[(int)(seq % _slots.Length)];
        if (slot.Used && slot.Sequence == seq)
        {
            DroppedPackets++;
            return;
        }

        if (seq - _next >= _slots.Length)
        {
            // The window overflows: give up on the oldest packets.
            SkipTo(seq - _slots.Length + 1, force: true);
        }

        slot.Used = true;
        slot.Sequence = seq;
        slot.Timestamp = packet.Timestamp;
        slot.End = packet.Marker || info.IsFrameEnd;
        slot.Info = info;
        slot.Length = packet.Payload.Length;
        packet.Payload.CopyTo(slot.Data);
        _highest = Math.Max(_highest, seq);
        Drain();
    }

    private Slot? Get(long seq)
    {
        var slot = _slots[(int)(seq % _slots.Length)];
        return slot.Used && slot.Sequence == seq ? slot : null;
    }

    /// <summary>Gives up on the current hole now if a later frame is complete (e.g. when a NACK timed out).</summary>
    public void SkipMissing() => Drain(force: true);

    /// <summary>
    /// Forgets every held packet and the sequence state, as for a new source (a new SSRC or payload
    /// format); the buffers are kept. Nothing is reported for the packets dropped.
    /// </summary>
    public void Reset()
    {
        foreach (var slot in _slots)
        {
            slot.Used = false;
        }

        _unwrapper = default;
        _next = -1;
        _highest = -1;
        _emittedAny = false;
    }

    private void Drain(bool force = false)
    {
        while (_next <= _highest)
        {
            if (TryCompleteAt(_next, out long end))
            {
                Emit(_next, end);
                continue;
            }

            // Look for a later complete frame; once the hole has waited long enough, what lies before it is lost.
            bool found = false;
            for (long s = _next + 1; s <= _highest; s++)
            {
                if (IsFrameStart(s) && TryCompleteAt(s, out _))
                {
                    if (force || _highest - _next + 1 > _reorderTolerance)
                    {
                        SkipTo(s, force: false);
                        found = true;
                    }

                    break;
                }
            }

            if (!found)
            {
                return;
            }
        }
    }

    private bool IsFrameStart(long seq)
    {
        var slot = Get(seq);
        if (slot is null)
        {
            return false;
        }

        var previous = Get(seq - 1);
        if (previous is not null)
        {
            return previous.End || previous.Timestamp != slot.Timestamp;
        }

        // Without the previous packet only the format can tell (reliable for VP8/VP9; for H.264 a NAL start).
        return slot.Info.IsFrameStart;
    }

    private bool TryCompleteAt(long start, out long end)
    {
        end = 0;
        var first = Get(start);
        if (first is null || !(first.Info.IsFrameStart || _emittedAny))
        {
            return false;
        }

        for (long s = start; s <= _highest; s++)
        {
            var slot = Get(s);
            if (slot is null || slot.Timestamp != first.Timestamp)
            {
                return false;
            }

            if (slot.End)
            {
                end = s;
                return true;
            }
        }

        return false;
    }

    private void Emit(long start, long end)
    {
        int length = 0;
        bool key = false, ok = true;
        uint timestamp = Get(start)!.Timestamp;
        for (long s = start; s <= end; s++)
        {
            var slot = Get(s)!;
            key |= slot.Info.IsKeyFrame;
            if (ok && _depacketizer.TryAppend(slot.Data.AsSpan(0, slot.Length), _frame.AsSpan(length), out int written))
            {
                length += written;
            }
            else
            {
                ok = false;
            }

            slot.Used = false;
        }

        _next = end + 1;
        _emittedAny = true;
        Frame?.Invoke(new AssembledFrame(timestamp, start - SequenceBase, ok ? length : 0, ok, key), ok ? _frame.AsSpan(0, length) : default);
    }

    /// <summary>Drops everything before <paramref name="target"/>, reporting one incomplete frame per timestamp that had packets.</summary>
    private void SkipTo(long target, bool force)
    {
        bool reported = false;
        uint lastTimestamp = 0;
        long firstSeq = _next;
        for (long s = _next; s < target; s++)
        {
            var slot = Get(s);
            if (slot is null)
            {
                continue;
            }

            if (!reported || slot.Timestamp != lastTimestamp)
            {
                if (reported)
                {
                    Report(lastTimestamp, firstSeq);
                }

                reported = true;
                lastTimestamp = slot.Timestamp;
                firstSeq = s;
            }

            slot.Used = false;
        }

        if (reported)
        {
            Report(lastTimestamp, firstSeq);
        }
        else if (!force)
        {
            // A hole with no packet at all: still one lost frame, timestamp unknown.
            Report(0, _next);
        }

        _next = target;
        _emittedAny = true;
    }

    private void Report(uint timestamp, long firstSeq) =>
        Frame?.Invoke(new AssembledFrame(timestamp, firstSeq - SequenceBase, 0, false, false), default);

    private sealed class Slot(int size)
    {
        public readonly byte[] Data = new byte[size];
        public bool Used;
        public long Sequence;
        public uint Timestamp;
        public bool End;
        public int Length;
        public RtpPayloadInfo Info;
    }
}
