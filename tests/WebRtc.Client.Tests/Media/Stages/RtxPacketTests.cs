using System.Buffers.Binary;
using WebRtc.Client.Media.Stages;
using WebRtc.Client.Rtp;

namespace WebRtc.Client.Tests.Media.Stages;

public class RtxPacketTests
{
    // Hand-built: V=2, X=1, CC=2, M=1, PT=96, seq 0x1234, ts 0xDEADBEEF, SSRC 0x11111111,
    // CSRCs 0xAAAAAAAA and 0xBBBBBBBB, a one-byte extension block (mid "a" id 1, abs-send-time id 3),
    // then a 5-byte payload.
    private static readonly byte[] Original =
    [
        0x92, 0xE0, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 0x11, 0x11, 0x11, 0x11,
        0xAA, 0xAA, 0xAA, 0xAA, 0xBB, 0xBB, 0xBB, 0xBB,
        0xBE, 0xDE, 0x00, 0x02, 0x10, (byte)'a', 0x32, 0x01, 0x02, 0x03, 0x00, 0x00,
        0x01, 0x02, 0x03, 0x04, 0x05,
    ];

    private const int HeaderLength = 32;

    [Test]
    public void Wrap_replaces_pt_ssrc_seq_and_prepends_the_osn()
    {
        var rtx = new byte[100];
        Assert.That(RtxPacket.TryWrap(Original, 97, 0x22222222, 0x0101, rtx, out int written), Is.True);
        Assert.That(written, Is.EqualTo(Original.Length + 2));
        Assert.That(RtpPacket.TryParse(rtx.AsSpan(0, written), out var packet, out _), Is.True);
        // RFC 4588 §4: same marker, timestamp, CSRCs and extensions; RTX PT, SSRC and seq; payload = OSN + original payload.
        Assert.That(packet.PayloadType, Is.EqualTo(97));
        Assert.That(packet.Marker, Is.True);
        Assert.That(packet.SequenceNumber, Is.EqualTo(0x0101));
        Assert.That(packet.Ssrc, Is.EqualTo(0x22222222u));
        Assert.That(packet.Timestamp, Is.EqualTo(0xDEADBEEFu));
        Assert.That(packet.CsrcCount, Is.EqualTo(2));
        Assert.That(packet.GetCsrc(1), Is.EqualTo(0xBBBBBBBBu));
        Assert.That(packet.HeaderLength, Is.EqualTo(HeaderLength));
        Assert.That(packet.ExtensionData.ToArray(), Is.EqualTo(Original[24..32]));
        Assert.That(packet.TryGetExtension(1, out var mid) && mid.SequenceEqual("a"u8), Is.True);
        Assert.That(packet.Payload.ToArray(), Is.EqualTo(new byte[] { 0x12, 0x34, 1, 2, 3, 4, 5 }));
        Assert.That(RtxPacket.TryReadOriginalSequenceNumber(rtx.AsSpan(0, written), out ushort osn) && osn == 0x1234, Is.True);
    }

    [Test]
    public void Round_trip_is_byte_exact()
    {
        var rtx = new byte[100];
        var restored = new byte[100];
        Assert.That(RtxPacket.TryWrap(Original, 97, 0x22222222, 7, rtx, out int written), Is.True);
        Assert.That(RtxPacket.TryUnwrap(rtx.AsSpan(0, written), 96, 0x11111111, restored, out int restoredLength), Is.True);
        Assert.That(restored[..restoredLength], Is.EqualTo(Original));
    }

    [Test]
    public void Round_trip_with_two_byte_extensions_and_no_marker()
    {
        var buffer = new byte[200];
        var writer = new RtpPacketWriter(buffer);
        writer.TryWriteHeader(new RtpHeader { PayloadType = 100, SequenceNumber = 65535, Timestamp = 1, Ssrc = 3 }, [9u]);
        writer.TryBeginExtensions(RtpExtensionForm.TwoByte);
        writer.TryAddExtension(1, []);
        writer.TryAddExtension(20, new byte[17]);
        writer.TryWritePayload([9, 8, 7]);
        var original = buffer[..writer.Length];

        var rtx = new byte[200];
        var restored = new byte[200];
        Assert.That(RtxPacket.TryWrap(original, 101, 4, 0, rtx, out int written), Is.True);
        Assert.That((rtx[1] & 0x80) == 0, Is.True);
        Assert.That(RtxPacket.TryUnwrap(rtx.AsSpan(0, written), 100, 3, restored, out int restoredLength), Is.True);
        Assert.That(restored[..restoredLength], Is.EqualTo(original));
    }

    [Test]
    public void Padding_is_removed()
    {
        var buffer = new byte[200];
        var writer = new RtpPacketWriter(buffer);
        writer.TryWriteHeader(new RtpHeader { PayloadType = 96, SequenceNumber = 5, Ssrc = 1 });
        writer.TryWritePayload([1, 2, 3], paddingLength: 4);
        var padded = buffer[..writer.Length];

        var rtx = new byte[200];
        Assert.That(RtxPacket.TryWrap(padded, 97, 2, 0, rtx, out int written), Is.True);
        Assert.That(written, Is.EqualTo(12 + 2 + 3));
        Assert.That(rtx[0] & 0x20, Is.Zero);

        var restored = new byte[200];
        Assert.That(RtxPacket.TryUnwrap(rtx.AsSpan(0, written), 96, 1, restored, out int restoredLength), Is.True);
        var expected = padded[..15];
        expected[0] &= 0xDF;
        Assert.That(restored[..restoredLength], Is.EqualTo(expected));
    }

    [Test]
    public void Padded_rtx_unwraps_without_its_padding()
    {
        var rtx = new byte[100];
        Assert.That(RtxPacket.TryWrap(Original, 97, 2, 0, rtx, out int written), Is.True);
        // A sender may pad the RTX packet itself (RFC 3550 §5.1 padding on the RTX stream).
        rtx[0] |= 0x20;
        rtx.AsSpan(written, 3).Clear();
        rtx[written + 3] = 4;
        var restored = new byte[100];
        Assert.That(RtxPacket.TryUnwrap(rtx.AsSpan(0, written + 4), 96, 0x11111111, restored, out int restoredLength), Is.True);
        Assert.That(restored[..restoredLength], Is.EqualTo(Original));
    }

    [Test]
    public void Works_in_place()
    {
        var buffer = new byte[100];
        Original.CopyTo(buffer, 0);
        Assert.That(RtxPacket.TryWrap(buffer.AsSpan(0, Original.Length), 97, 2, 3, buffer, out int written), Is.True);
        Assert.That(BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(HeaderLength)), Is.EqualTo(0x1234));
        Assert.That(RtxPacket.TryUnwrap(buffer.AsSpan(0, written), 96, 0x11111111, buffer, out int restored), Is.True);
        Assert.That(buffer[..restored], Is.EqualTo(Original));
    }

    [Test]
    public void Refuses_small_buffers_invalid_input_and_padding_only_probes()
    {
        Assert.That(RtxPacket.TryWrap(Original, 97, 2, 3, new byte[Original.Length + 1], out int written), Is.False);
        Assert.That(written, Is.Zero);
        Assert.That(RtxPacket.TryWrap(Original.AsSpan(0, 20), 97, 2, 3, new byte[100], out _), Is.False);
        Assert.That(RtxPacket.TryWrap(Original, 200, 2, 3, new byte[100], out _), Is.False);

        // A padding-only RTX packet (bandwidth probe) has no OSN.
        var probe = new byte[12 + 8];
        probe[0] = 0xA0;
        probe[1] = 97;
        probe[^1] = 8;
        Assert.That(RtxPacket.TryUnwrap(probe, 96, 1, new byte[100], out _), Is.False);
        Assert.That(RtxPacket.TryReadOriginalSequenceNumber(probe, out _), Is.False);

        var rtx = new byte[100];
        RtxPacket.TryWrap(Original, 97, 2, 3, rtx, out written);
        Assert.That(RtxPacket.TryUnwrap(rtx.AsSpan(0, written), 96, 1, new byte[Original.Length - 1], out _), Is.False);
    }
}
