using System.Buffers.Binary;

namespace WebRtc.Client.Rtcp;

/// <summary>SDES item types (RFC 3550 §6.5).</summary>
public enum RtcpSdesType : byte
{
    /// <summary>End of the item list of a chunk.</summary>
    End = 0,
    /// <summary>Canonical end-point identifier.</summary>
    Cname = 1,
    /// <summary>User name.</summary>
    Name = 2,
    /// <summary>E-mail address.</summary>
    Email = 3,
    /// <summary>Phone number.</summary>
    Phone = 4,
    /// <summary>Geographic location.</summary>
    Location = 5,
    /// <summary>Application or tool name.</summary>
    Tool = 6,
    /// <summary>Notice/status.</summary>
    Note = 7,
    /// <summary>Private extension.</summary>
    Private = 8,
}

/// <summary>One SDES item with the SSRC of its chunk.</summary>
public readonly ref struct RtcpSdesItem
{
    /// <summary>Creates an item view.</summary>
    public RtcpSdesItem(uint ssrc, RtcpSdesType type, ReadOnlySpan<byte> text)
    {
        Ssrc = ssrc;
        Type = type;
        Text = text;
    }

    /// <summary>The chunk's SSRC/CSRC.</summary>
    public uint Ssrc { get; }

    /// <summary>The item type.</summary>
    public RtcpSdesType Type { get; }

    /// <summary>The item text (UTF-8).</summary>
    public ReadOnlySpan<byte> Text { get; }
}

/// <summary>A Source Description packet (RFC 3550 §6.5): chunks of items, walked without allocating.</summary>
public readonly ref struct RtcpSdes
{
    private readonly ReadOnlySpan<byte> _body;

    private RtcpSdes(ReadOnlySpan<byte> body, int chunkCount)
    {
        _body = body;
        ChunkCount = chunkCount;
    }

    /// <summary>Number of chunks.</summary>
    public int ChunkCount { get; }

    /// <summary>Every item of every chunk, in order.</summary>
    public Enumerator Items => new(_body, ChunkCount);

    /// <summary>Finds the CNAME of <paramref name="ssrc"/>.</summary>
    public bool TryGetCname(uint ssrc, out ReadOnlySpan<byte> cname)
    {
        foreach (var item in Items)
        {
            if (item.Ssrc == ssrc && item.Type == RtcpSdesType.Cname)
            {
                cname = item.Text;
                return true;
            }
        }

        cname = default;
        return false;
    }

    /// <summary>Parses an SDES packet, checking every chunk and item.</summary>
    public static bool TryParse(in RtcpPacket packet, out RtcpSdes sdes, out RtcpParseError error)
    {
        sdes = default;
        if (packet.Type != RtcpPacketType.SourceDescription)
        {
            error = RtcpParseError.WrongType;
            return false;
        }

        var e = new Enumerator(packet.Body, packet.Count);
        while (e.MoveNext())
        {
        }

        if (e.Failed)
        {
            error = RtcpParseError.Malformed;
            return false;
        }

        sdes = new RtcpSdes(packet.Body, packet.Count);
        error = RtcpParseError.None;
        return true;
    }

    /// <summary>Walks the items of an SDES body.</summary>
    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<byte> _body;
        private int _chunksLeft;
        private int _offset;
        private uint _ssrc;
        private bool _inChunk;
        private RtcpSdesItem _current;

        internal Enumerator(ReadOnlySpan<byte> body, int chunks)
        {
            _body = body;
            _chunksLeft = chunks;
            _offset = 0;
            _ssrc = 0;
            _inChunk = false;
            _current = default;
            Failed = false;
        }

        /// <summary>The current item.</summary>
        public readonly RtcpSdesItem Current => _current;

        internal bool Failed { get; private set; }

        /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
        public readonly Enumerator GetEnumerator() => this;

        /// <summary>Moves to the next item.</summary>
        public bool MoveNext()
        {
            while (true)
            {
                if (!_inChunk)
                {
                    if (_chunksLeft == 0)
                    {
                        return false;
                    }

                    if (_body.Length - _offset < 4)
                    {
                        return Fail();
                    }

                    _ssrc = BinaryPrimitives.ReadUInt32BigEndian(_body[_offset..]);
                    _offset += 4;
                    _chunksLeft--;
                    _inChunk = true;
                }

                if (_offset >= _body.Length)
                {
                    return Fail();
                }

                byte type = _body[_offset];
                if (type == 0)
                {
                    // RFC 3550 §6.5: a null octet ends the list, then pad to the next 32-bit boundary.
                    _offset = (_offset + 4) & ~3;
                    if (_offset > _body.Length)
                    {
                        return Fail();
                    }

                    _inChunk = false;
                    continue;
                }

                if (_body.Length - _offset < 2 || _body[_offset + 1] > _body.Length - _offset - 2)
                {
                    return Fail();
                }

                int length = _body[_offset + 1];
                _current = new RtcpSdesItem(_ssrc, (RtcpSdesType)type, _body.Slice(_offset + 2, length));
                _offset += 2 + length;
                return true;
            }
        }

        private bool Fail()
        {
            Failed = true;
            _chunksLeft = 0;
            _inChunk = false;
            return false;
        }
    }
}
