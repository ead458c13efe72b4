namespace WebRtc.Client.Packetization;

/// <summary>The VP8 payload descriptor (RFC 7741 §4.2).</summary>
public readonly record struct Vp8PayloadDescriptor
{
    /// <summary>N: a non-reference frame.</summary>
    public bool NonReference { get; init; }

    /// <summary>S: start of a VP8 partition.</summary>
    public bool StartOfPartition { get; init; }

    /// <summary>PID: partition index.</summary>
    public int PartitionIndex { get; init; }

    /// <summary>PictureID (7 or 15 bits), -1 when absent.</summary>
    public int PictureId { get; init; }

    /// <summary>True when PictureID is the 15-bit form.</summary>
    public bool LongPictureId { get; init; }

    /// <summary>TL0PICIDX, -1 when absent.</summary>
    public int Tl0PicIdx { get; init; }

    /// <summary>TID, -1 when absent.</summary>
    public int TemporalId { get; init; }

    /// <summary>Y: layer sync.</summary>
    public bool LayerSync { get; init; }

    /// <summary>KEYIDX, -1 when absent.</summary>
    public int KeyIndex { get; init; }

    /// <summary>Descriptor length in bytes.</summary>
    public int Length { get; init; }

    /// <summary>Parses the descriptor; false when it runs past the payload or leaves no data.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out Vp8PayloadDescriptor descriptor)
    {
        descriptor = default;
        if (payload.IsEmpty)
        {
            return false;
        }

        byte b0 = payload[0];
        int offset = 1, pictureId = -1, tl0 = -1, tid = -1, keyIdx = -1;
        bool longId = false, sync = false;
        if ((b0 & 0x80) != 0)
        {
            if (payload.Length < 2)
            {
                return false;
            }

            byte x = payload[1];
            offset = 2;
            if ((x & 0x80) != 0)
            {
                if (payload.Length <= offset)
                {
                    return false;
                }

                longId = (payload[offset] & 0x80) != 0;
                if (longId)
                {
                    if (payload.Length <= offset + 1)
                    {
                        return false;
                    }

                    pictureId = ((payload[offset] & 0x7F) << 8) | payload[offset + 1];
                    offset += 2;
                }
                else
                {
                    pictureId = payload[offset++];
                }
            }

            if ((x & 0x40) != 0)
            {
                if (payload.Length <= offset)
                {
                    return false;
                }

                tl0 = payload[offset++];
            }

            if ((x & 0x30) != 0)
            {
                if (payload.Length <= offset)
                {
                    return false;
                }

                byte t = payload[offset++];
                if ((x & 0x20) != 0)
                {
                    tid = t >> 6;
                    sync = (t & 0x20) != 0;
                }

                if ((x & 0x10) != 0)
                {
                    keyIdx = t & 0x1F;
                }
            }
        }

        if (offset >= payload.Length)
        {
            return false;
        }

        descriptor = new Vp8PayloadDescriptor
        {
            NonReference = (b0 & 0x20) != 0, StartOfPartition = (b0 & 0x10) != 0, PartitionIndex = b0 & 0x07,
            PictureId = pictureId, LongPictureId = longId, Tl0PicIdx = tl0, TemporalId = tid, LayerSync = sync, KeyIndex = keyIdx, Length = offset,
        };
        return true;
    }
}

/// <summary>
/// VP8 over RTP (RFC 7741): a 4-byte descriptor with a 15-bit PictureID that advances per frame,
/// S set on the first packet; depacketizing strips descriptors and detects keyframes (§4.3).
/// </summary>
public sealed class Vp8Packetizer : IRtpPacketizer, IRtpDepacketizer
{
    private const int DescriptorLength = 4;

    /// <summary>Starts at PictureID <paramref name="initialPictureId"/> (random in production, fixed in tests).</summary>
    public Vp8Packetizer(int initialPictureId = 0) => PictureId = initialPictureId & 0x7FFF;

    /// <summary>The PictureID the next frame will carry.</summary>
    public int PictureId { get; private set; }

    /// <inheritdoc/>
    public bool TryPacketize(ReadOnlySpan<byte> frame, int maxPayloadSize, Span<byte> output, Span<int> payloadLengths, out int count)
    {
        PacketizerGuard.Check(maxPayloadSize, DescriptorLength + 1, payloadLengths);
        count = 0;
        if (frame.IsEmpty)
        {
            return false;
        }

        int chunk = maxPayloadSize - DescriptorLength;
        int packets = (frame.Length + chunk - 1) / chunk;
        if (packets > payloadLengths.Length || output.Length < frame.Length + (packets * DescriptorLength))
        {
            return false;
        }

        // Spread the bytes evenly so the last packet is not a runt.
        int baseSize = frame.Length / packets, extra = frame.Length % packets;
        int offset = 0, position = 0;
        for (int i = 0; i < packets; i++)
        {
            int size = baseSize + (i < extra ? 1 : 0);
            var p = output[position..];
            p[0] = (byte)(0x80 | (i == 0 ? 0x10 : 0));
            p[1] = 0x80;
            p[2] = (byte)(0x80 | (PictureId >> 8));
            p[3] = (byte)PictureId;
            frame.Slice(offset, size).CopyTo(p[DescriptorLength..]);
            payloadLengths[i] = DescriptorLength + size;
            position += DescriptorLength + size;
            offset += size;
        }

        PictureId = (PictureId + 1) & 0x7FFF;
        count = packets;
        return true;
    }

    /// <inheritdoc/>
    public bool TryGetInfo(ReadOnlySpan<byte> payload, out RtpPayloadInfo info)
    {
        info = default;
        if (!Vp8PayloadDescriptor.TryParse(payload, out var d))
        {
            return false;
        }

        bool start = d.StartOfPartition && d.PartitionIndex == 0;
        // RFC 7741 §4.3: the P bit of the VP8 payload header (bit 0 of its first byte) is 0 for keyframes.
        info = new RtpPayloadInfo(start, false, start && (payload[d.Length] & 0x01) == 0);
        return true;
    }

    /// <inheritdoc/>
    public bool TryAppend(ReadOnlySpan<byte> payload, Span<byte> destination, out int written)
    {
        written = 0;
        if (!Vp8PayloadDescriptor.TryParse(payload, out var d) || payload.Length - d.Length > destination.Length)
        {
            return false;
        }

        payload[d.Length..].CopyTo(destination);
        written = payload.Length - d.Length;
        return true;
    }
}
