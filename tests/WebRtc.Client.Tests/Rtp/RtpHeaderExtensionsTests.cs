using WebRtc.Client.Rtp;

namespace WebRtc.Client.Tests.Rtp;

public class RtpHeaderExtensionsTests
{
    [Test]
    public void Typed_extensions_round_trip_through_a_packet()
    {
        var buffer = new byte[200];
        var w = new RtpPacketWriter(buffer);
        w.TryWriteHeader(new RtpHeader { PayloadType = 111, SequenceNumber = 7, Ssrc = 42 });
        Span<byte> tmp = stackalloc byte[16];
        Assert.That(w.TryAddExtension(1, tmp[..RtpHeaderExtensions.WriteSdesString(tmp, "0")]), Is.True);
        Assert.That(w.TryAddExtension(2, tmp[..RtpHeaderExtensions.WriteSdesString(tmp, "hi")]), Is.True);
        Assert.That(w.TryAddAbsSendTime(3, 0xABCDEF), Is.True);
        Assert.That(w.TryAddTransportSequenceNumber(4, 0xFFFE), Is.True);
        Assert.That(w.TryAddAudioLevel(5, true, 42), Is.True);
        RtpHeaderExtensions.WritePlayoutDelay(tmp, 10, 4095);
        Assert.That(w.TryAddExtension(6, tmp[..3]), Is.True);
        RtpHeaderExtensions.WriteVideoOrientation(tmp, true, false, 270);
        Assert.That(w.TryAddExtension(7, tmp[..1]), Is.True);
        int n = RtpHeaderExtensions.WriteAbsCaptureTime(tmp, new NtpTime(0x0123456789ABCDEF), -5);
        Assert.That(w.TryAddExtension(8, tmp[..n]), Is.True);
        Assert.That(w.TryWritePayload([1, 2, 3]), Is.True);

        Assert.That(RtpPacket.TryParse(buffer.AsSpan(0, w.Length), out var p, out _), Is.True);
        var ext = new Dictionary<int, byte[]>();
        foreach (var e in p.Extensions)
        {
            ext[e.Id] = e.Data.ToArray();
        }

        Assert.That(RtpHeaderExtensions.ReadSdesString(ext[1]), Is.EqualTo("0"));
        Assert.That(RtpHeaderExtensions.ReadSdesString(ext[2]), Is.EqualTo("hi"));
        Assert.That(RtpHeaderExtensions.TryReadAbsSendTime(ext[3], out uint abs), Is.True);
        Assert.That(abs, Is.EqualTo(0xABCDEFu));
        Assert.That(RtpHeaderExtensions.TryReadTransportSequenceNumber(ext[4], out ushort twcc), Is.True);
        Assert.That(twcc, Is.EqualTo(0xFFFE));
        Assert.That(RtpHeaderExtensions.TryReadAudioLevel(ext[5], out bool voice, out byte level), Is.True);
        Assert.That(voice && level == 42, Is.True);
        Assert.That(RtpHeaderExtensions.TryReadPlayoutDelay(ext[6], out int min, out int max), Is.True);
        Assert.That((min, max), Is.EqualTo((10, 4095)));
        Assert.That(RtpHeaderExtensions.TryReadVideoOrientation(ext[7], out bool cam, out bool flip, out int rot), Is.True);
        Assert.That((cam, flip, rot), Is.EqualTo((true, false, 270)));
        Assert.That(RtpHeaderExtensions.TryReadAbsCaptureTime(ext[8], out var capture, out long? offset), Is.True);
        Assert.That(capture.Value, Is.EqualTo(0x0123456789ABCDEFUL));
        Assert.That(offset, Is.EqualTo(-5));
        Assert.That(p.Payload.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));
    }

    [Test]
    public void Audio_level_example_from_rfc6464()
    {
        // RFC 6464 §3: V=1, level=0x21 (-33 dBov) in one byte.
        Assert.That(RtpHeaderExtensions.TryReadAudioLevel([0xA1], out bool v, out byte level), Is.True);
        Assert.That(v && level == 33, Is.True);
    }

    [Test]
    public void Sdes_strings_drop_trailing_nuls_and_refuse_empty()
    {
        Assert.That(RtpHeaderExtensions.ReadSdesString("ab\0\0"u8), Is.EqualTo("ab"));
        Assert.That(RtpHeaderExtensions.ReadSdesString("\0"u8), Is.Null);
    }

    [Test]
    public void Abs_send_time_is_6_18_fixed_point_of_ntp()
    {
        var ntp = new NtpTime((5UL << 32) | 0x80000000); // 5.5 s
        Assert.That(RtpHeaderExtensions.AbsSendTimeFromNtp(ntp), Is.EqualTo((5u << 18) | (1u << 17)));
    }

    [Test]
    public void One_byte_form_refuses_ids_it_cannot_carry()
    {
        var w = new RtpPacketWriter(new byte[100]);
        w.TryWriteHeader(new RtpHeader());
        bool threw = false;
        try
        {
            w.TryAddExtension(15, [1]);
        }
        catch (ArgumentException)
        {
            threw = true;
        }

        Assert.That(threw, Is.True);
    }
}
