namespace WebRtc.Client.Rtp;

/// <summary>One RFC 8285 header extension element: its negotiated id and its data.</summary>
public readonly ref struct RtpExtension
{
    /// <summary>Creates an element view.</summary>
    public RtpExtension(int id, ReadOnlySpan<byte> data)
    {
        Id = id;
        Data = data;
    }

    /// <summary>The local identifier negotiated with a=extmap.</summary>
    public int Id { get; }

    /// <summary>The element's data.</summary>
    public ReadOnlySpan<byte> Data { get; }
}

/// <summary>Walks the elements of an RFC 8285 extension block without allocating.</summary>
public ref struct RtpExtensionEnumerator
{
    private readonly ReadOnlySpan<byte> _block;
    private readonly RtpExtensionForm _form;
    private int _offset;
    private RtpExtension _current;

    /// <summary>Enumerates <paramref name="block"/> (the data after the 4-byte extension header).</summary>
    public RtpExtensionEnumerator(ReadOnlySpan<byte> block, RtpExtensionForm form)
    {
        _block = block;
        _form = form;
        _offset = 0;
        _current = default;
    }

    /// <summary>The current element.</summary>
    public readonly RtpExtension Current => _current;

    /// <summary>Returns this enumerator (for <c>foreach</c>).</summary>
    public readonly RtpExtensionEnumerator GetEnumerator() => this;

    /// <summary>Advances to the next element; stops at the end, at a stop id or at a malformed element.</summary>
    public bool MoveNext()
    {
        if (_form == RtpExtensionForm.None)
        {
            return false;
        }

        while (_offset < _block.Length)
        {
            byte first = _block[_offset];
            if (first == 0)
            {
                // RFC 8285 §4.2/§4.3: a zero byte is padding between elements.
                _offset++;
                continue;
            }

            int id, length, dataOffset;
            if (_form == RtpExtensionForm.OneByte)
            {
                id = first >> 4;
                if (id == 15)
                {
                    // RFC 8285 §4.2: id 15 is reserved; stop processing the block.
                    _offset = _block.Length;
                    return false;
                }

                length = (first & 0x0F) + 1;
                dataOffset = _offset + 1;
            }
            else
            {
                if (_offset + 1 >= _block.Length)
                {
                    _offset = _block.Length;
                    return false;
                }

                id = first;
                length = _block[_offset + 1];
                dataOffset = _offset + 2;
            }

            if (length > _block.Length - dataOffset)
            {
                _offset = _block.Length;
                return false;
            }

            _current = new RtpExtension(id, _block.Slice(dataOffset, length));
            _offset = dataOffset + length;
            return true;
        }

        return false;
    }

    /// <summary>True when every element of the block lies inside it.</summary>
    internal static bool Validate(ReadOnlySpan<byte> block, RtpExtensionForm form)
    {
        int offset = 0;
        while (offset < block.Length)
        {
            byte first = block[offset];
            if (first == 0)
            {
                offset++;
                continue;
            }

            int length, dataOffset;
            if (form == RtpExtensionForm.OneByte)
            {
                if (first >> 4 == 15)
                {
                    return true;
                }

                length = (first & 0x0F) + 1;
                dataOffset = offset + 1;
            }
            else
            {
                if (offset + 1 >= block.Length)
                {
                    return false;
                }

                length = block[offset + 1];
                dataOffset = offset + 2;
            }

            if (length > block.Length - dataOffset)
            {
                return false;
            }

            offset = dataOffset + length;
        }

        return true;
    }
}
