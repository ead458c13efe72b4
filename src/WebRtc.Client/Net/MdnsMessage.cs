using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Text;

namespace WebRtc.Client.Net;

/// <summary>A DNS question: name, type and class (the class keeps the mDNS QU bit, 0x8000).</summary>
internal sealed record MdnsQuestion(string Name, ushort Type, ushort Class);

/// <summary>A DNS resource record (the class keeps the mDNS cache-flush bit, 0x8000).</summary>
internal sealed record MdnsRecord(string Name, ushort Type, ushort Class, uint Ttl, byte[] Data)
{
    /// <summary>The address of an IN A or AAAA record with well-formed data, else null.</summary>
    public IPAddress? Address =>
        (Class & MdnsMessage.ClassMask) != MdnsMessage.ClassIn ? null
        : Type == MdnsMessage.TypeA && Data.Length == 4 ? new IPAddress(Data)
        : Type == MdnsMessage.TypeAaaa && Data.Length == 16 ? new IPAddress(Data)
        : null;
}

/// <summary>
/// Just enough DNS (RFC 1035) for mDNS one-shot queries (RFC 6762): writes messages without
/// compression and parses any message defensively. <see cref="TryParse"/> never throws and
/// always terminates, whatever the input: every read is bounds-checked, compression pointers
/// must point backwards, their number per name is capped and names are capped at 255 bytes.
/// </summary>
internal sealed class MdnsMessage
{
    public const ushort TypeA = 1;
    public const ushort TypeAaaa = 28;
    public const ushort ClassIn = 1;
    public const ushort ClassMask = 0x7FFF;

    /// <summary>QU bit in a question's class: "unicast response requested" (RFC 6762 §5.4).</summary>
    public const ushort UnicastResponseBit = 0x8000;

    /// <summary>Cache-flush bit in a record's class (RFC 6762 §10.2).</summary>
    public const ushort CacheFlushBit = 0x8000;

    public const ushort FlagResponse = 0x8000;
    public const ushort FlagAuthoritative = 0x0400;

    private const int HeaderLength = 12;
    private const int MaxNameLength = 255;
    private const int MaxLabelLength = 63;
    private const int MaxPointersPerName = 32;

    public ushort Id { get; init; }

    public ushort Flags { get; init; }

    public bool IsResponse => (Flags & FlagResponse) != 0;

    public List<MdnsQuestion> Questions { get; init; } = [];

    public List<MdnsRecord> Answers { get; init; } = [];

    public List<MdnsRecord> Authorities { get; init; } = [];

    public List<MdnsRecord> Additionals { get; init; } = [];

    /// <summary>A one-shot query for <paramref name="name"/>, one question per type.</summary>
    public static MdnsMessage CreateQuery(string name, bool unicastResponse, params ReadOnlySpan<ushort> types)
    {
        var message = new MdnsMessage();
        ushort qclass = (ushort)(ClassIn | (unicastResponse ? UnicastResponseBit : 0));
        foreach (var type in types)
        {
            message.Questions.Add(new MdnsQuestion(name, type, qclass));
        }

        return message;
    }

    /// <summary>Encodes the message (names uncompressed).</summary>
    /// <exception cref="ArgumentException">A name has an empty or over-long label, or is over 255 bytes.</exception>
    public byte[] Encode()
    {
        var w = new ArrayBufferWriter<byte>(512);
        WriteUInt16(w, Id);
        WriteUInt16(w, Flags);
        WriteUInt16(w, checked((ushort)Questions.Count));
        WriteUInt16(w, checked((ushort)Answers.Count));
        WriteUInt16(w, checked((ushort)Authorities.Count));
        WriteUInt16(w, checked((ushort)Additionals.Count));
        foreach (var q in Questions)
        {
            WriteName(w, q.Name);
            WriteUInt16(w, q.Type);
            WriteUInt16(w, q.Class);
        }

        foreach (var section in (ReadOnlySpan<List<MdnsRecord>>)[Answers, Authorities, Additionals])
        {
            foreach (var r in section)
            {
                WriteName(w, r.Name);
                WriteUInt16(w, r.Type);
                WriteUInt16(w, r.Class);
                BinaryPrimitives.WriteUInt32BigEndian(w.GetSpan(4), r.Ttl);
                w.Advance(4);
                WriteUInt16(w, checked((ushort)r.Data.Length));
                w.Write(r.Data);
            }
        }

        return w.WrittenSpan.ToArray();
    }

    /// <summary>Parses a DNS message; false for anything malformed. Never throws.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out MdnsMessage? message)
    {
        message = null;
        if (data.Length < HeaderLength)
        {
            return false;
        }

        var result = new MdnsMessage
        {
            Id = BinaryPrimitives.ReadUInt16BigEndian(data),
            Flags = BinaryPrimitives.ReadUInt16BigEndian(data[2..]),
        };
        int qd = BinaryPrimitives.ReadUInt16BigEndian(data[4..]);
        int an = BinaryPrimitives.ReadUInt16BigEndian(data[6..]);
        int ns = BinaryPrimitives.ReadUInt16BigEndian(data[8..]);
        int ar = BinaryPrimitives.ReadUInt16BigEndian(data[10..]);
        int offset = HeaderLength;

        // Each loop consumes at least one byte per entry, so the counts cannot make it run long.
        for (int i = 0; i < qd; i++)
        {
            if (!TryReadName(data, ref offset, out var name) || offset + 4 > data.Length)
            {
                return false;
            }

            result.Questions.Add(new MdnsQuestion(
                name,
                BinaryPrimitives.ReadUInt16BigEndian(data[offset..]),
                BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..])));
            offset += 4;
        }

        if (!TryReadRecords(data, ref offset, an, result.Answers)
            || !TryReadRecords(data, ref offset, ns, result.Authorities)
            || !TryReadRecords(data, ref offset, ar, result.Additionals))
        {
            return false;
        }

        message = result;
        return true;
    }

    private static bool TryReadRecords(ReadOnlySpan<byte> data, ref int offset, int count, List<MdnsRecord> records)
    {
        for (int i = 0; i < count; i++)
        {
            if (!TryReadName(data, ref offset, out var name) || offset + 10 > data.Length)
            {
                return false;
            }

            ushort type = BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
            ushort rclass = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]);
            uint ttl = BinaryPrimitives.ReadUInt32BigEndian(data[(offset + 4)..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 8)..]);
            offset += 10;
            if (length > data.Length - offset)
            {
                return false;
            }

            records.Add(new MdnsRecord(name, type, rclass, ttl, data.Slice(offset, length).ToArray()));
            offset += length;
        }

        return true;
    }

    /// <summary>
    /// Reads a possibly compressed name at <paramref name="offset"/> and moves it past the name's
    /// bytes at that place (a pointer counts two bytes, wherever it leads).
    /// </summary>
    internal static bool TryReadName(ReadOnlySpan<byte> data, ref int offset, [NotNullWhen(true)] out string? name)
    {
        name = null;
        Span<byte> text = stackalloc byte[MaxNameLength];
        int textLength = 0;
        int wireLength = 1; // the root label
        int pos = offset;
        int end = -1;
        int pointers = 0;
        while (true)
        {
            if ((uint)pos >= (uint)data.Length)
            {
                return false;
            }

            int length = data[pos];
            if ((length & 0xC0) == 0xC0)
            {
                if (pos + 1 >= data.Length)
                {
                    return false;
                }

                int target = ((length & 0x3F) << 8) | data[pos + 1];

                // Only backwards: a pointer to itself or ahead is how loops are built. A loop
                // made of backward pointers through labels still ends on the caps below.
                if (target >= pos || ++pointers > MaxPointersPerName)
                {
                    return false;
                }

                if (end < 0)
                {
                    end = pos + 2;
                }

                pos = target;
                continue;
            }

            if ((length & 0xC0) != 0)
            {
                return false; // 0x40/0x80: extended/reserved label types (RFC 6891), not used here
            }

            if (length == 0)
            {
                if (end < 0)
                {
                    end = pos + 1;
                }

                break;
            }

            wireLength += length + 1;
            if (wireLength > MaxNameLength || pos + 1 + length > data.Length)
            {
                return false;
            }

            if (textLength > 0)
            {
                text[textLength++] = (byte)'.';
            }

            data.Slice(pos + 1, length).CopyTo(text[textLength..]);
            textLength += length;
            pos += 1 + length;
        }

        // Invalid UTF-8 becomes U+FFFD rather than an exception: such a name just will not match.
        name = textLength == 0 ? "." : Encoding.UTF8.GetString(text[..textLength]);
        offset = end;
        return true;
    }

    private static void WriteName(ArrayBufferWriter<byte> w, string name)
    {
        string trimmed = name.EndsWith('.') ? name[..^1] : name;
        int total = 1;
        if (trimmed.Length > 0)
        {
            foreach (var label in trimmed.Split('.'))
            {
                int count = Encoding.UTF8.GetByteCount(label);
                if (count is 0 or > MaxLabelLength)
                {
                    throw new ArgumentException($"The DNS name '{name}' has an empty label or one longer than 63 bytes.", nameof(name));
                }

                total += count + 1;
                if (total > MaxNameLength)
                {
                    throw new ArgumentException($"The DNS name '{name}' is longer than 255 bytes.", nameof(name));
                }

                var span = w.GetSpan(count + 1);
                span[0] = (byte)count;
                Encoding.UTF8.GetBytes(label, span[1..]);
                w.Advance(count + 1);
            }
        }

        w.GetSpan(1)[0] = 0;
        w.Advance(1);
    }

    private static void WriteUInt16(ArrayBufferWriter<byte> w, ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(w.GetSpan(2), value);
        w.Advance(2);
    }
}
