namespace WebRtc.Client.Packetization;

/// <summary>The VP9 payload descriptor (RFC 9628 §4.2), without the scalability structure's details.</summary>
public readonly record struct Vp9PayloadDescriptor
{
    /// <summary>P: inter-picture predicted (not a keyframe when on the first packet of layer 0).</summary>
    public bool InterPicturePredicted { get; init; }

    /// <summary>F: flexible mode.</summary>
    public bool FlexibleMode { get; init; }

    /// <summary>B: start of a layer frame.</summary>
    public bool StartOfFrame { get; init; }

    /// <summary>E: end of a layer frame.</summary>
    public bool EndOfFrame { get; init; }

    /// <summary>V: a scalability structure follows.</summary>
    public bool HasScalabilityStructure { get; init; }

    /// <summary>Picture ID (7 or 15 bits), -1 when absent.</summary>
    public int PictureId { get; init; }

    /// <summary>TID, -1 without layer indices.</summary>
    public int TemporalId { get; init; }

    /// <summary>SID, 0 without layer indices.</summary>
    public int SpatialId { get; init; }

    /// <summary>TL0PICIDX (non-flexible mode with layer indices), -1 when absent.</summary>
    public int Tl0PicIdx { get; init; }

    /// <summary>Number of spatial layers from the scalability structure, 0 when absent.</summary>
    public int SpatialLayers { get; init; }

    /// <summary>Descriptor length in bytes.</summary>
    public int Length { get; init; }

    /// <summary>Parses the descriptor; false when anything runs past the payload.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out Vp9PayloadDescriptor descriptor)
    {
        descriptor = default;
        if (payload.IsEmpty)
        {
            return false;
        }

        byte b0 = payload[0];
        bool i = (b0 & 0x80) != 0, p = (b0 & 0x40) != 0, l = (b0 & 0x20) != 0, f = (b0 & 0x10) != 0, v = (b0 & 0x02) != 0;
        int offset = 1, pictureId = -1, tid = -1, sid = 0, tl0 = -1, layers = 0;
        if (i)
        {
            if (payload.Length <= offset)
            {
                return false;
            }

            if ((payload[offset] & 0x80) != 0)
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

        if (l)
        {
            if (payload.Length <= offset)
            {
                return false;
            }

            tid = payload[offset] >> 5;
            sid = (payload[offset] >> 1) & 0x07;
            offset++;
            if (!f)
            {
                if (payload.Length <= offset)
                {
                    return false;
                }

                tl0 = payload[offset++];
            }
        }

        if (f && p)
        {
            // Up to 3 reference indices, each with N = "another follows".
            for (int k = 0; ; k++)
            {
                if (payload.Length <= offset || k == 3)
                {
                    return false;
                }

                if ((payload[offset++] & 0x01) == 0)
                {
                    break;
                }
            }
        }

        if (v)
        {
            if (payload.Length <= offset)
            {
                return false;
            }

            byte ss = payload[offset++];
            layers = (ss >> 5) + 1;
            if ((ss & 0x10) != 0)
            {
                offset += 4 * layers;
            }

            if ((ss & 0x08) != 0)
            {
                if (payload.Length <= offset)
                {
                    return false;
                }

                int groups = payload[offset++];
                for (int g = 0; g < groups; g++)
                {
                    if (payload.Length <= offset)
                    {
                        return false;
                    }

                    int references = (payload[offset] >> 2) & 0x03;
                    offset += 1 + references;
                }
            }

            if (offset > payload.Length)
            {
                return false;
            }
        }

        if (offset >= payload.Length)
        {
            return false;
        }

        descriptor = new Vp9PayloadDescriptor
        {
            InterPicturePredicted = p, FlexibleMode = f, StartOfFrame = (b0 & 0x08) != 0, EndOfFrame = (b0 & 0x04) != 0,
            HasScalabilityStructure = v, PictureId = pictureId, TemporalId = tid, SpatialId = sid, Tl0PicIdx = tl0, SpatialLayers = layers, Length = offset,
        };
        return true;
    }
}

/// <summary>
/// VP9 over RTP (RFC 9628), non-flexible mode with one spatial layer: a 15-bit picture ID, B/E
/// on the first/last packet, P clear on keyframes, and a one-layer scalability structure with
/// the resolution on keyframes. The depacketizer reads flexible and non-flexible descriptors.
/// </summary>
public sealed class Vp9Packetizer : IRtpPacketizer, IRtpDepacketizer
{
    /// <summary>Starts at picture ID <paramref name="initialPictureId"/>.</summary>
    public Vp9Packetizer(int initialPictureId = 0) => PictureId = initialPictureId & 0x7FFF;

    /// <summary>The picture ID the next frame will carry.</summary>
    public int PictureId { get; private set; }

    /// <summary>
    /// Reads the frame type and, for a keyframe, the size from a VP9 uncompressed header
    /// (VP9 bitstream spec §6.2); false when it is not a (shown) keyframe header it can read.
    /// </summary>
    public static bool TryReadKeyFrame(ReadOnlySpan<byte> frame, out int width, out int height)
    {
        width = height = 0;
        var bits = new BitReader(frame);
        if (bits.Read(2) != 2)
        {
            return false;
        }

        int profile = bits.Read(1) | (bits.Read(1) << 1);
        if (profile == 3)
        {
            bits.Read(1);
        }

        if (bits.Read(1) == 1 || bits.Read(1) != 0)
        {
            return false; // show_existing_frame, or frame_type is non-key
        }

        bits.Read(2); // show_frame, error_resilient_mode
        if (bits.Read(24) != 0x498342)
        {
            return false; // frame sync code
        }

        if (profile >= 2)
        {
            bits.Read(1); // ten_or_twelve_bit
        }

        int colorSpace = bits.Read(3);
        if (colorSpace != 7)
        {
            bits.Read(1);
            if (profile is 1 or 3)
            {
                bits.Read(3);
            }
        }
        else if (profile is 1 or 3)
        {
            bits.Read(1);
        }

        width = bits.Read(16) + 1;
        height = bits.Read(16) + 1;
        return !bits.Overrun;
    }

    /// <inheritdoc/>
    public bool TryPacketize(ReadOnlySpan<byte> frame, int maxPayloadSize, Span<byte> output, Span<int> payloadLengths, out int count)
    {
        PacketizerGuard.Check(maxPayloadSize, 16, payloadLengths);
        count = 0;
        if (frame.IsEmpty)
        {
            return false;
        }

        bool key = TryReadKeyFrame(frame, out int width, out int height);
        const int Header = 3;
        const int Ss = 1 + 4;
        int first = maxPayloadSize - Header - (key ? Ss : 0);
        int rest = maxPayloadSize - Header;
        int packets = frame.Length <= first ? 1 : 1 + ((frame.Length - first + rest - 1) / rest);
        if (packets > payloadLengths.Length || output.Length < frame.Length + (packets * Header) + (key ? Ss : 0))
        {
            return false;
        }

        int offset = 0, position = 0;
        for (int i = 0; i < packets; i++)
        {
            int room = i == 0 ? first : rest;
            int size = Math.Min(room, frame.Length - offset);
            var p = output[position..];
            bool ss = key && i == 0;
            // I=1, P, B, E, V; then the 15-bit picture ID.
            p[0] = (byte)(0x80 | (key ? 0 : 0x40) | (i == 0 ? 0x08 : 0) | (i == packets - 1 ? 0x04 : 0) | (ss ? 0x02 : 0));
            p[1] = (byte)(0x80 | (PictureId >> 8));
            p[2] = (byte)PictureId;
            int h = Header;
            if (ss)
            {
                // N_S=0 (one spatial layer), Y=1 (resolution follows), G=0.
                p[3] = 0x10;
                p[4] = (byte)(width >> 8);
                p[5] = (byte)width;
                p[6] = (byte)(height >> 8);
                p[7] = (byte)height;
                h += Ss;
            }

            frame.Slice(offset, size).CopyTo(p[h..]);
            payloadLengths[i] = h + size;
            position += h + size;
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
        if (!Vp9PayloadDescriptor.TryParse(payload, out var d))
        {
            return false;
        }

        bool start = d.StartOfFrame && d.SpatialId == 0;
        // E ends one layer frame; with spatial layers only the marker ends the picture, so leave the end to it.
        info = new RtpPayloadInfo(start, false, start && !d.InterPicturePredicted);
        return true;
    }

    /// <inheritdoc/>
    public bool TryAppend(ReadOnlySpan<byte> payload, Span<byte> destination, out int written)
    {
        written = 0;
        if (!Vp9PayloadDescriptor.TryParse(payload, out var d) || payload.Length - d.Length > destination.Length)
        {
            return false;
        }

        payload[d.Length..].CopyTo(destination);
        written = payload.Length - d.Length;
        return true;
    }

    private ref struct BitReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _bit;

        public bool Overrun { get; private set; }

        public int Read(int count)
        {
            int value = 0;
            for (int i = 0; i < count; i++)
            {
                int index = _bit >> 3;
                int bit = 0;
                if (index < _data.Length)
                {
                    bit = (_data[index] >> (7 - (_bit & 7))) & 1;
                }
                else
                {
                    Overrun = true;
                }

                value = (value << 1) | bit;
                _bit++;
            }

            return value;
        }
    }
}
