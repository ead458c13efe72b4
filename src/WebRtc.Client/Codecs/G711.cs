namespace WebRtc.Client.Codecs;

/// <summary>
/// ITU-T G.711 companding by table. The tables are built once from the ITU-T G.191 reference
/// algorithms (one's complement for negative input, as the reference does), so encoding is one
/// lookup per sample. Decoded values are the segment midpoints of G.711 Tables 1 and 2.
/// </summary>
public static class G711
{
    private static readonly byte[] LinearToUlaw = BuildEncodeTable(UlawCompress);
    private static readonly byte[] LinearToAlaw = BuildEncodeTable(AlawCompress);
    private static readonly short[] UlawToLinear = BuildDecodeTable(UlawExpand);
    private static readonly short[] AlawToLinear = BuildDecodeTable(AlawExpand);

    /// <summary>Encodes 16-bit samples to μ-law (PCMU), one byte per sample.</summary>
    /// <param name="pcm">Samples.</param>
    /// <param name="output">At least <c>pcm.Length</c> bytes.</param>
    public static void EncodeMuLaw(ReadOnlySpan<short> pcm, Span<byte> output) => Encode(pcm, output, LinearToUlaw);

    /// <summary>Encodes 16-bit samples to A-law (PCMA), one byte per sample.</summary>
    /// <param name="pcm">Samples.</param>
    /// <param name="output">At least <c>pcm.Length</c> bytes.</param>
    public static void EncodeALaw(ReadOnlySpan<short> pcm, Span<byte> output) => Encode(pcm, output, LinearToAlaw);

    /// <summary>Decodes μ-law bytes to 16-bit samples.</summary>
    /// <param name="encoded">Code words.</param>
    /// <param name="pcm">At least <c>encoded.Length</c> samples.</param>
    public static void DecodeMuLaw(ReadOnlySpan<byte> encoded, Span<short> pcm) => Decode(encoded, pcm, UlawToLinear);

    /// <summary>Decodes A-law bytes to 16-bit samples.</summary>
    /// <param name="encoded">Code words.</param>
    /// <param name="pcm">At least <c>encoded.Length</c> samples.</param>
    public static void DecodeALaw(ReadOnlySpan<byte> encoded, Span<short> pcm) => Decode(encoded, pcm, AlawToLinear);

    private static void Encode(ReadOnlySpan<short> pcm, Span<byte> output, byte[] table)
    {
        if (output.Length < pcm.Length)
        {
            throw new ArgumentException($"Output holds {output.Length} bytes; {pcm.Length} needed.", nameof(output));
        }

        for (int i = 0; i < pcm.Length; i++)
        {
            output[i] = table[(ushort)pcm[i]];
        }
    }

    private static void Decode(ReadOnlySpan<byte> encoded, Span<short> pcm, short[] table)
    {
        if (pcm.Length < encoded.Length)
        {
            throw new ArgumentException($"Output holds {pcm.Length} samples; {encoded.Length} needed.", nameof(pcm));
        }

        for (int i = 0; i < encoded.Length; i++)
        {
            pcm[i] = table[encoded[i]];
        }
    }

    private static byte[] BuildEncodeTable(Func<short, byte> compress)
    {
        var table = new byte[65536];
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = compress((short)i);
        }

        return table;
    }

    private static short[] BuildDecodeTable(Func<byte, short> expand)
    {
        var table = new short[256];
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = expand((byte)i);
        }

        return table;
    }

    // G.191 ulaw_compress: 14-bit magnitude plus bias 33, segment from the leading one.
    private static byte UlawCompress(short x)
    {
        int absno = (x < 0 ? (~x) >> 2 : x >> 2) + 33;
        absno = Math.Min(absno, 0x1FFF);
        int segno = 1;
        for (int i = absno >> 6; i != 0; i >>= 1)
        {
            segno++;
        }

        int highNibble = 0x08 - segno;
        int lowNibble = 0x0F - ((absno >> segno) & 0x0F);
        int code = (highNibble << 4) | lowNibble;
        return (byte)(x >= 0 ? code | 0x80 : code);
    }

    private static short UlawExpand(byte code)
    {
        int sign = code < 0x80 ? -1 : 1;
        int mantissa = ~code;
        int exponent = (mantissa >> 4) & 0x07;
        int step = 4 << (exponent + 1);
        mantissa &= 0x0F;
        return (short)(sign * ((0x80 << exponent) + step * mantissa + step / 2 - 4 * 33));
    }

    // G.191 alaw_compress: 12-bit magnitude, segment by shifting, even bits inverted (0x55).
    private static byte AlawCompress(short x)
    {
        int ix = x < 0 ? (~x) >> 4 : x >> 4;
        if (ix > 15)
        {
            int exponent = 1;
            while (ix > 16 + 15)
            {
                ix >>= 1;
                exponent++;
            }

            ix -= 16;
            ix += exponent << 4;
        }

        if (x >= 0)
        {
            ix |= 0x80;
        }

        return (byte)(ix ^ 0x55);
    }

    private static short AlawExpand(byte code)
    {
        int ix = (code ^ 0x55) & 0x7F;
        int exponent = ix >> 4;
        int mantissa = ix & 0x0F;
        if (exponent > 0)
        {
            mantissa += 16;
        }

        mantissa = (mantissa << 4) + 0x08;
        if (exponent > 1)
        {
            mantissa <<= exponent - 1;
        }

        return (short)(code > 127 ? mantissa : -mantissa);
    }
}
