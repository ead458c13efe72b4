using WebRtc.Client.Rtp;

namespace WebRtc.Client.Tests.Rtp;

public class RtpPacketTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    [Test]
    public void Parses_fixed_header_csrcs_and_payload()
    {
        // RFC 3550 §5.1: V=2 P=0 X=0 CC=2 M=1 PT=96 seq=0x1234 ts=0xDEADBEEF SSRC=0x01020304, 2 CSRCs.
        var data = Hex("82E0 1234 DEADBEEF 01020304 0A0B0C0D 11121314 CAFE");
        Assert.That(RtpPacket.TryParse(data, out var p, out var error), Is.True);
        Assert.That(error, Is.EqualTo(RtpParseError.None));
        Assert.That(p.Version, Is.EqualTo(2));
        Assert.That(p.Marker, Is.True);
        Assert.That(p.PayloadType, Is.EqualTo(96));
        Assert.That(p.SequenceNumber, Is.EqualTo(0x1234));
        Assert.That(p.Timestamp, Is.EqualTo(0xDEADBEEF));
        Assert.That(p.Ssrc, Is.EqualTo(0x01020304u));
        Assert.That(p.CsrcCount, Is.EqualTo(2));
        Assert.That(p.GetCsrc(1), Is.EqualTo(0x11121314u));
        Assert.That(p.Payload.ToArray(), Is.EqualTo(new byte[] { 0xCA, 0xFE }));
        Assert.That(p.HeaderLength, Is.EqualTo(20));
    }

    [Test]
    public void One_byte_extensions_with_padding_between_elements()
    {
        // RFC 8285 §4.2 figure: ID=1 L=0 (1 byte), ID=2 L=1 (2 bytes), padding zeros, ID=3 L=3 (4 bytes).
        var data = Hex("9060 0001 00000001 00000002 BEDE 0003 10AA 21BB BB00 0033 CCCCCCCC 00 FF");
        Assert.That(RtpPacket.TryParse(data, out var p, out _), Is.True);
        Assert.That(p.ExtensionForm, Is.EqualTo(RtpExtensionForm.OneByte));
        var ids = new List<int>();
        foreach (var e in p.Extensions)
        {
            ids.Add(e.Id);
        }

        Assert.That(ids, Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(p.TryGetExtension(2, out var two), Is.True);
        Assert.That(two.ToArray(), Is.EqualTo(new byte[] { 0xBB, 0xBB }));
        Assert.That(p.TryGetExtension(3, out var three) && three.Length == 4, Is.True);
        Assert.That(p.TryGetExtension(4, out _), Is.False);
        Assert.That(p.Payload.ToArray(), Is.EqualTo(new byte[] { 0x00, 0xFF }));
    }

    [Test]
    public void Two_byte_extensions_allow_empty_elements()
    {
        // RFC 8285 §4.3 figure: ID=0x01 L=0, ID=0x02 L=1, padding, ID=0x03 L=4.
        var data = Hex("9060 0001 00000001 00000002 1000 0003 0100 0201 BB00 0304 CCCCCCCC 77");
        Assert.That(RtpPacket.TryParse(data, out var p, out _), Is.True);
        Assert.That(p.ExtensionForm, Is.EqualTo(RtpExtensionForm.TwoByte));
        Assert.That(p.TryGetExtension(1, out var one) && one.IsEmpty, Is.True);
        Assert.That(p.TryGetExtension(2, out var two) && two[0] == 0xBB, Is.True);
        Assert.That(p.TryGetExtension(3, out var three) && three.Length == 4, Is.True);
    }

    [TestCase("80", RtpParseError.TooShort)]
    [TestCase("40600001000000010000000211", RtpParseError.BadVersion)]
    [TestCase("8260000100000001000000020000", RtpParseError.CsrcOverrun)]
    [TestCase("906000010000000100000002BEDE0002AA", RtpParseError.ExtensionOverrun)]
    [TestCase("906000010000000100000002BEDE00013AAAAAAA", RtpParseError.BadExtensionElement)]
    [TestCase("A06000010000000100000002AABB05", RtpParseError.BadPadding)]
    [TestCase("A06000010000000100000002AABB00", RtpParseError.BadPadding)]
    public void Refuses_malformed_packets(string hex, RtpParseError expected)
    {
        Assert.That(RtpPacket.TryParse(Hex(hex), out var p, out var error), Is.False);
        Assert.That(error, Is.EqualTo(expected));
        Assert.That(p.Payload.IsEmpty && p.SequenceNumber == 0, Is.True);
    }

    [Test]
    public void Padding_is_stripped_from_the_payload()
    {
        var data = Hex("A0600001000000010000000211223300000004");
        Assert.That(RtpPacket.TryParse(data, out var p, out _), Is.True);
        Assert.That(p.Payload.ToArray(), Is.EqualTo(new byte[] { 0x11, 0x22, 0x33 }));
        Assert.That(p.PaddingLength, Is.EqualTo(4));
    }

    [Test]
    public void Writer_round_trips_random_packets_bit_exactly([Values(1, 2, 3, 4)] int seed)
    {
        var random = new Random(seed);
        var buffer = new byte[2000];
        for (int round = 0; round < 500; round++)
        {
            var header = new RtpHeader
            {
                Marker = random.Next(2) == 1, PayloadType = (byte)random.Next(128),
                SequenceNumber = (ushort)random.Next(65536), Timestamp = (uint)random.NextInt64(1L << 32), Ssrc = (uint)random.NextInt64(1L << 32),
            };
            var csrcs = new uint[random.Next(16)];
            for (int i = 0; i < csrcs.Length; i++)
            {
                csrcs[i] = (uint)random.NextInt64(1L << 32);
            }

            var twoByte = random.Next(2) == 1;
            var extensions = new List<(int Id, byte[] Data)>();
            int count = random.Next(5);
            for (int i = 0; i < count; i++)
            {
                int id = twoByte ? random.Next(1, 256) : random.Next(1, 15);
                if (extensions.Exists(e => e.Id == id))
                {
                    continue;
                }

                var value = new byte[twoByte ? random.Next(0, 40) : random.Next(1, 17)];
                random.NextBytes(value);
                extensions.Add((id, value));
            }

            var payload = new byte[random.Next(0, 1200)];
            random.NextBytes(payload);
            int padding = random.Next(4) == 0 ? random.Next(1, 256) : 0;

            var w = new RtpPacketWriter(buffer);
            Assert.That(w.TryWriteHeader(header, csrcs), Is.True);
            if (twoByte)
            {
                Assert.That(w.TryBeginExtensions(RtpExtensionForm.TwoByte), Is.True);
            }

            foreach (var (id, value) in extensions)
            {
                Assert.That(w.TryAddExtension(id, value), Is.True);
            }

            Assert.That(w.TryWritePayload(payload, padding), Is.True);
            var bytes = buffer.AsSpan(0, w.Length);

            Assert.That(RtpPacket.TryParse(bytes, out var p, out var error), Is.True, error.ToString());
            Assert.That(p.Marker, Is.EqualTo(header.Marker));
            Assert.That(p.PayloadType, Is.EqualTo(header.PayloadType));
            Assert.That(p.SequenceNumber, Is.EqualTo(header.SequenceNumber));
            Assert.That(p.Timestamp, Is.EqualTo(header.Timestamp));
            Assert.That(p.Ssrc, Is.EqualTo(header.Ssrc));
            Assert.That(p.CsrcCount, Is.EqualTo(csrcs.Length));
            for (int i = 0; i < csrcs.Length; i++)
            {
                Assert.That(p.GetCsrc(i), Is.EqualTo(csrcs[i]));
            }

            foreach (var (id, value) in extensions)
            {
                Assert.That(p.TryGetExtension(id, out var data), Is.True);
                Assert.That(data.ToArray(), Is.EqualTo(value));
            }

            Assert.That(p.Payload.ToArray(), Is.EqualTo(payload));
            Assert.That(p.PaddingLength, Is.EqualTo(padding));
            Assert.That(RtpPacket.TryGetHeaderLength(bytes, out int headerLength) && headerLength == p.HeaderLength, Is.True);

            // Rewriting what was read gives the same bytes.
            var again = new byte[bytes.Length];
            var w2 = new RtpPacketWriter(again);
            w2.TryWriteHeader(header, csrcs);
            if (p.ExtensionForm != RtpExtensionForm.None)
            {
                w2.TryBeginExtensions(p.ExtensionForm);
                foreach (var e in p.Extensions)
                {
                    w2.TryAddExtension(e.Id, e.Data);
                }
            }

            w2.TryWritePayload(p.Payload, p.PaddingLength);
            Assert.That(again, Is.EqualTo(bytes.ToArray()));
        }
    }

    [Test]
    public void Writer_reports_a_short_buffer()
    {
        var w = new RtpPacketWriter(new byte[20]);
        Assert.That(w.TryWriteHeader(new RtpHeader { PayloadType = 96 }), Is.True);
        Assert.That(w.TryAddAbsSendTime(3, 0x123456), Is.True);
        Assert.That(w.TryWritePayload(new byte[10]), Is.False);
        Assert.That(new RtpPacketWriter(new byte[11]).TryWriteHeader(new RtpHeader()), Is.False);
    }

    [Test]
    public void Fuzz_random_and_mutated_packets_never_throw()
    {
        var random = new Random(8);
        var seed = Hex("B0E0 1234 DEADBEEF 01020304 BEDE 0002 10AA 21BB BB30 CCCCCCCC 0102030405 000003");
        var buffer = new byte[300];
        int parsed = 0;
        for (int i = 0; i < 60_000; i++)
        {
            int length;
            if (i % 2 == 0)
            {
                length = random.Next(buffer.Length);
                random.NextBytes(buffer.AsSpan(0, length));
                buffer[0] = (byte)((buffer[0] & 0x3F) | 0x80);
            }
            else
            {
                seed.CopyTo(buffer, 0);
                length = random.Next(seed.Length + 1);
                for (int m = random.Next(1, 4); m > 0; m--)
                {
                    buffer[random.Next(Math.Max(1, length))] ^= (byte)(1 << random.Next(8));
                }
            }

            var span = buffer.AsSpan(0, length);
            if (RtpPacket.TryParse(span, out var p, out _))
            {
                parsed++;
                int sum = p.Payload.Length + p.HeaderLength + p.PaddingLength;
                Assert.That(sum, Is.EqualTo(length));
                foreach (var e in p.Extensions)
                {
                    sum += e.Data.Length + e.Id;
                }

                for (int c = 0; c < p.CsrcCount; c++)
                {
                    sum += (int)(p.GetCsrc(c) & 1);
                }
            }
        }

        Assert.That(parsed, Is.GreaterThan(1000));
    }
}
