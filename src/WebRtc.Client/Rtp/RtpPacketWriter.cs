using System.Buffers.Binary;

namespace WebRtc.Client.Rtp;

/// <summary>The fields of a fixed RTP header that a sender chooses (RFC 3550 §5.1).</summary>
public struct RtpHeader
{
    /// <summary>The marker bit.</summary>
    public bool Marker { get; set; }

    /// <summary>The payload type (0–127).</summary>
    public byte PayloadType { get; set; }

    /// <summary>The sequence number.</summary>
    public ushort SequenceNumber { get; set; }

    /// <summary>The RTP timestamp.</summary>
    public uint Timestamp { get; set; }

    /// <summary>The synchronization source.</summary>
    public uint Ssrc { get; set; }
}

/// <summary>
/// Writes one RTP packet into a caller's buffer without allocating: the header, then any RFC 8285
/// extensions, then the payload and optional padding, in that order. Every Try* method returns
/// false (and writes nothing further) when the buffer is too small.
/// </summary>
public ref struct RtpPacketWriter
{
    private readonly Span<byte> _buffer;
    private int _length;
    private int _extensionStart; // offset of the 4-byte extension header, -1 when none
    private RtpExtensionForm _form;
    private int _stage; // 0 nothing, 1 header, 2 payload written

    /// <summary>Starts a packet at the beginning of <paramref name="buffer"/>.</summary>
    public RtpPacketWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _length = 0;
        _extensionStart = -1;
        _form = RtpExtensionForm.None;
        _stage = 0;
    }

    /// <summary>Bytes written so far; the packet length once the payload is written.</summary>
    public readonly int Length => _length;

    /// <summary>Writes the fixed header and the CSRC list (up to 15).</summary>
    public bool TryWriteHeader(in RtpHeader header, scoped ReadOnlySpan<uint> csrcs = default)
    {
        if (_stage != 0)
        {
            throw new InvalidOperationException("The header is already written.");
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(csrcs.Length, 15, nameof(csrcs));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(header.PayloadType, (byte)127, nameof(header));
        int length = RtpPacket.FixedHeaderLength + (csrcs.Length * 4);
        if (_buffer.Length < length)
        {
            return false;
        }

        _buffer[0] = (byte)(0x80 | csrcs.Length);
        _buffer[1] = (byte)((header.Marker ? 0x80 : 0) | header.PayloadType);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[2..], header.SequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer[4..], header.Timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer[8..], header.Ssrc);
        for (int i = 0; i < csrcs.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_buffer[(RtpPacket.FixedHeaderLength + (i * 4))..], csrcs[i]);
        }

        _length = length;
        _stage = 1;
        return true;
    }

    /// <summary>
    /// Opens the RFC 8285 extension block in the given form. Optional: the first
    /// <see cref="TryAddExtension"/> opens a one-byte block by itself.
    /// </summary>
    public bool TryBeginExtensions(RtpExtensionForm form)
    {
        if (_stage != 1 || _extensionStart >= 0 || form == RtpExtensionForm.None)
        {
            throw new InvalidOperationException("Extensions go once, after the header and before the payload.");
        }

        if (_buffer.Length - _length < 4)
        {
            return false;
        }

        _extensionStart = _length;
        _form = form;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[_length..], form == RtpExtensionForm.OneByte ? RtpPacket.OneByteProfile : RtpPacket.TwoByteProfile);
        _buffer[0] |= 0x10;
        _length += 4;
        return true;
    }

    /// <summary>Adds one extension element with the negotiated <paramref name="id"/>.</summary>
    public bool TryAddExtension(int id, scoped ReadOnlySpan<byte> data)
    {
        if (_extensionStart < 0 && !TryBeginExtensions(RtpExtensionForm.OneByte))
        {
            return false;
        }

        if (_stage != 1)
        {
            throw new InvalidOperationException("Extensions go before the payload.");
        }

        if (_form == RtpExtensionForm.OneByte)
        {
            if (id is < 1 or > 14 || data.Length is < 1 or > 16)
            {
                throw new ArgumentException("One-byte extensions take ids 1-14 and 1-16 bytes; begin a two-byte block.", nameof(data));
            }

            if (_buffer.Length - _length < 1 + data.Length)
            {
                return false;
            }

            _buffer[_length] = (byte)((id << 4) | (data.Length - 1));
            data.CopyTo(_buffer[(_length + 1)..]);
            _length += 1 + data.Length;
        }
        else
        {
            if (id is < 1 or > 255 || data.Length > 255)
            {
                throw new ArgumentException("Two-byte extensions take ids 1-255 and 0-255 bytes.", nameof(data));
            }

            if (_buffer.Length - _length < 2 + data.Length)
            {
                return false;
            }

            _buffer[_length] = (byte)id;
            _buffer[_length + 1] = (byte)data.Length;
            data.CopyTo(_buffer[(_length + 2)..]);
            _length += 2 + data.Length;
        }

        return true;
    }

    /// <summary>
    /// Closes the header (pads the extension block to 32 bits) and returns the space left for
    /// the payload, so a packetizer can write into it directly; finish with <see cref="TryEndPayload"/>.
    /// </summary>
    public Span<byte> BeginPayload()
    {
        if (_stage != 1)
        {
            throw new InvalidOperationException("Write the header first, and the payload once.");
        }

        if (_extensionStart >= 0)
        {
            int blockLength = _length - _extensionStart - 4;
            int pad = (4 - (blockLength & 3)) & 3;
            if (_buffer.Length - _length < pad)
            {
                return default;
            }

            _buffer.Slice(_length, pad).Clear();
            _length += pad;
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[(_extensionStart + 2)..], (ushort)((blockLength + pad) / 4));
            _extensionStart = int.MinValue; // closed
        }

        return _buffer[_length..];
    }

    /// <summary>Accounts for <paramref name="payloadLength"/> bytes written into <see cref="BeginPayload"/>'s span and adds padding.</summary>
    public bool TryEndPayload(int payloadLength, int paddingLength = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        ArgumentOutOfRangeException.ThrowIfNegative(paddingLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(paddingLength, 255);
        if (_buffer.Length - _length < payloadLength + paddingLength)
        {
            return false;
        }

        _length += payloadLength;
        if (paddingLength > 0)
        {
            _buffer.Slice(_length, paddingLength - 1).Clear();
            _buffer[_length + paddingLength - 1] = (byte)paddingLength;
            _buffer[0] |= 0x20;
            _length += paddingLength;
        }

        _stage = 2;
        return true;
    }

    /// <summary>Writes the payload (and padding, the count byte included) and completes the packet.</summary>
    public bool TryWritePayload(scoped ReadOnlySpan<byte> payload, int paddingLength = 0)
    {
        var space = BeginPayload();
        if (space.Length < payload.Length + paddingLength)
        {
            return false;
        }

        payload.CopyTo(space);
        return TryEndPayload(payload.Length, paddingLength);
    }

    /// <summary>Adds an abs-send-time element.</summary>
    public bool TryAddAbsSendTime(int id, uint value)
    {
        Span<byte> data = stackalloc byte[RtpHeaderExtensions.AbsSendTimeLength];
        RtpHeaderExtensions.WriteAbsSendTime(data, value);
        return TryAddExtension(id, data);
    }

    /// <summary>Adds a transport-wide-cc sequence number element.</summary>
    public bool TryAddTransportSequenceNumber(int id, ushort value)
    {
        Span<byte> data = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(data, value);
        return TryAddExtension(id, data);
    }

    /// <summary>Adds an ssrc-audio-level element (level in -dBov, 0–127).</summary>
    public bool TryAddAudioLevel(int id, bool voiceActivity, byte level)
    {
        Span<byte> data = stackalloc byte[1];
        RtpHeaderExtensions.WriteAudioLevel(data, voiceActivity, level);
        return TryAddExtension(id, data);
    }
}
