using System.Buffers.Binary;
using WebRtc.Client.Stun;
using static WebRtc.Client.Tests.Stun.StunTestData;

namespace WebRtc.Client.Tests.Stun;

/// <summary>Input that StunReader.TryParse must refuse, with the right reason, without throwing.</summary>
public class StunReaderMalformedTests
{
    private static StunParseError Parse(byte[] data)
    {
        bool ok = StunReader.TryParse(data, out var reader, out var error);
        Assert.That(ok, Is.EqualTo(error == StunParseError.None));
        if (!ok)
        {
            // A reader left at default by a refused parse answers without throwing.
            Assert.That(reader.HasMessageIntegrity || reader.HasFingerprint || reader.HasMessageIntegritySha256, Is.False);
            Assert.That(reader.VerifyMessageIntegrity(ShortTermKey), Is.False);
            Assert.That(reader.TryGetAttribute(StunAttributeType.Username, out _), Is.False);
            Assert.That(reader.Type, Is.EqualTo(default(StunMessageType)));
        }

        return error;
    }

    private static void SetLength(byte[] data, int length) => BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(2), (ushort)length);

    // RFC 8489 §5: the header is 20 bytes.
    [Test]
    public void TruncatedHeader_IsTooShort()
    {
        Assert.That(Parse([]), Is.EqualTo(StunParseError.TooShort));
        Assert.That(Parse(Rfc5769Request[..19]), Is.EqualTo(StunParseError.TooShort));
    }

    // RFC 8489 §5 / RFC 7983: the two most significant bits are zero.
    [TestCase(0x40)]
    [TestCase(0x80)]
    [TestCase(0xC0)]
    public void FirstBitsSet_IsNotStun(int bits)
    {
        byte[] data = Rfc5769Request;
        data[0] |= (byte)bits;
        Assert.That(Parse(data), Is.EqualTo(StunParseError.NotStun));
        Assert.That(StunReader.IsStun(data), Is.False);
    }

    // RFC 8489 §5: the magic cookie is 0x2112A442.
    [Test]
    public void BadCookie_IsRefused()
    {
        byte[] data = Rfc5769Request;
        data[7] ^= 0x01;
        Assert.That(Parse(data), Is.EqualTo(StunParseError.BadMagicCookie));
        Assert.That(StunReader.IsStun(data), Is.False);
    }

    // RFC 8489 §5: the message length is a multiple of 4.
    [Test]
    public void LengthNotMultipleOf4_IsBadLength()
    {
        byte[] data = Rfc5769Request;
        SetLength(data, data.Length - 20 - 2);
        Assert.That(Parse(data), Is.EqualTo(StunParseError.BadLength));
    }

    // RFC 8489 §5: the length field must match the datagram (one message per UDP datagram).
    [Test]
    public void LengthMismatch_IsBadLength()
    {
        byte[] data = Rfc5769Request;
        SetLength(data, data.Length - 20 + 4);
        Assert.That(Parse(data), Is.EqualTo(StunParseError.BadLength));
        SetLength(data, data.Length - 20 - 4);
        Assert.That(Parse(data), Is.EqualTo(StunParseError.BadLength));
        Assert.That(Parse([.. Rfc5769Request, 0, 0, 0, 0]), Is.EqualTo(StunParseError.BadLength));
    }

    // RFC 8489 §14: an attribute's value (plus padding) lies inside the message.
    [Test]
    public void AttributeOverrun_IsRefused()
    {
        byte[] data = Rfc5769Request;
        data[22] = 0x01; // SOFTWARE length 0x0110
        Assert.That(Parse(data), Is.EqualTo(StunParseError.AttributeOverrun));

        // A value whose padding would run past the end.
        byte[] last = Rfc5769LongTermRequest;
        int mi = last.Length - 24;
        BinaryPrimitives.WriteUInt16BigEndian(last.AsSpan(mi + 2), 21);
        Assert.That(Parse(last), Is.EqualTo(StunParseError.AttributeOverrun));

        // A message whose last 4 bytes are an attribute header claiming a value.
        byte[] header = new byte[24];
        Rfc5769Request.AsSpan(0, 20).CopyTo(header);
        SetLength(header, 4);
        header[20] = 0x80;
        header[21] = 0x22;
        header[23] = 0x01;
        Assert.That(Parse(header), Is.EqualTo(StunParseError.AttributeOverrun));
    }

    // RFC 8489 §14.7: FINGERPRINT is the last attribute.
    [Test]
    public void AttributeAfterFingerprint_IsMalformed()
    {
        byte[] data = [.. Rfc5769Request, 0x80, 0x22, 0x00, 0x00];
        SetLength(data, data.Length - 20);
        Assert.That(Parse(data), Is.EqualTo(StunParseError.MalformedAttribute));
    }

    // RFC 8489 §14.5, §14.6, §14.7: fixed sizes of MI (20), MI-SHA256 (16..32, multiple of 4) and FINGERPRINT (4).
    [Test]
    public void WrongSizedIntegrityOrFingerprint_IsMalformed()
    {
        byte[] data = Rfc5769Request;
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(data.Length - 8 - 24 + 2), 16);
        Assert.That(Parse(data), Is.EqualTo(StunParseError.MalformedAttribute), "MI of 16 bytes");

        byte[] sha = Rfc8489B1Request;
        BinaryPrimitives.WriteUInt16BigEndian(sha.AsSpan(sha.Length - 36 + 2), 12);
        Assert.That(Parse(sha), Is.EqualTo(StunParseError.MalformedAttribute), "MI-SHA256 of 12 bytes");

        byte[] fp = Rfc5769Request[..^8];
        fp = [.. fp, 0x80, 0x28, 0x00, 0x00];
        SetLength(fp, fp.Length - 20);
        Assert.That(Parse(fp), Is.EqualTo(StunParseError.MalformedAttribute), "empty FINGERPRINT");
    }

    // RFC 8489 §14.7: the CRC must match.
    [Test]
    public void BadFingerprint_IsRefused()
    {
        byte[] data = Rfc5769Request;
        data[^1] ^= 0x01;
        Assert.That(Parse(data), Is.EqualTo(StunParseError.BadFingerprint));

        data = Rfc5769Request;
        data[30] ^= 0x01; // inside SOFTWARE
        Assert.That(Parse(data), Is.EqualTo(StunParseError.BadFingerprint));
    }

    // RFC 8489 §14.5: a wrong key or any changed byte fails MESSAGE-INTEGRITY.
    [Test]
    public void MessageIntegrity_FailsWithWrongKeyOrTamperedByte()
    {
        // Without FINGERPRINT so that a tampered byte reaches the integrity check.
        byte[] data = Rfc5769LongTermRequest;
        byte[] key = StunIntegrity.LongTermKey(LongTermUsername, "example.org", "TheMatrIX");
        Assert.That(StunReader.TryParse(data, out var reader, out _), Is.True);
        Assert.That(reader.VerifyMessageIntegrity(key), Is.True);
        Assert.That(reader.VerifyMessageIntegrity(key.AsSpan(1)), Is.False);
        Assert.That(reader.VerifyMessageIntegrity([]), Is.False);
        Assert.That(reader.VerifyMessageIntegritySha256(key), Is.False, "absent");

        for (int i = 0; i < data.Length; i++)
        {
            if (i is >= 2 and < 4)
            {
                continue; // the length field: covered by the length tests
            }

            byte[] tampered = Rfc5769LongTermRequest;
            tampered[i] ^= 0x04;
            if (StunReader.TryParse(tampered, out var r, out _))
            {
                Assert.That(r.VerifyMessageIntegrity(key), Is.False, $"byte {i} changed");
            }
        }

        Assert.That(StunMessage.TryParse(data, key.AsSpan(1), out var message), Is.False);
        Assert.That(message, Is.Null);
    }

    // RFC 8489 §14.5: attributes after MESSAGE-INTEGRITY are ignored, except MI-SHA256 and FINGERPRINT.
    [Test]
    public void AttributesAfterMessageIntegrity_AreIgnoredByLookups()
    {
        byte[] key = ShortTermKey;
        var buffer = new byte[256];
        var writer = new StunWriter(buffer, StunMessageType.BindingRequest, StunTransactionId.NewRandom());
        writer.AddUInt32(StunAttributeType.Priority, 1);
        writer.AddMessageIntegrity(key);
        writer.AddString(StunAttributeType.Username, "after:mi");
        writer.AddUInt32(StunAttributeType.Priority, 2);
        writer.AddAttribute(StunAttributeType.ReservationToken + 0x100, [1, 2, 3, 4]); // unknown type 0x0122
        writer.AddMessageIntegritySha256(key);
        writer.AddFingerprint();
        byte[] data = writer.Written.ToArray();

        Assert.That(StunReader.TryParse(data, out var reader, out var error), Is.True, error.ToString());
        Assert.That(reader.HasAttribute(StunAttributeType.Username), Is.False);
        Assert.That(reader.TryGetUInt32(StunAttributeType.Priority, out uint priority), Is.True);
        Assert.That(priority, Is.EqualTo(1u));
        Span<ushort> unknown = stackalloc ushort[4];
        Assert.That(reader.GetUnknownComprehensionRequired(unknown), Is.Zero);
        Assert.That(reader.HasFingerprint, Is.True);
        Assert.That(reader.VerifyMessageIntegrity(key), Is.True);
        Assert.That(reader.VerifyMessageIntegritySha256(key), Is.True);

        int count = 0;
        foreach (var attribute in reader.Attributes)
        {
            count++;
            Assert.That(attribute.Type, Is.Not.EqualTo((StunAttributeType)0));
        }

        Assert.That(count, Is.EqualTo(7), "the enumerator shows everything");

        Assert.That(StunMessage.TryParse(data, out var message), Is.True);
        Assert.That(message!.Attributes.Select(a => a.Type), Is.EqualTo(new[] { StunAttributeType.Priority }));
        Assert.That(message.HasMessageIntegrity && message.HasMessageIntegritySha256 && message.HasFingerprint, Is.True);
    }

    // RFC 8489 §14.6: MESSAGE-INTEGRITY after MESSAGE-INTEGRITY-SHA256 is ignored.
    [Test]
    public void MessageIntegrityAfterSha256_IsIgnored()
    {
        byte[] key = ShortTermKey;
        var buffer = new byte[256];
        var writer = new StunWriter(buffer, StunMessageType.BindingRequest, StunTransactionId.NewRandom());
        writer.AddString(StunAttributeType.Username, "a:b");
        writer.AddMessageIntegritySha256(key);
        writer.AddMessageIntegrity(key);
        Assert.That(StunReader.TryParse(writer.Written, out var reader, out _), Is.True);
        Assert.That(reader.HasMessageIntegritySha256, Is.True);
        Assert.That(reader.HasMessageIntegrity, Is.False);
        Assert.That(reader.VerifyMessageIntegritySha256(key), Is.True);
    }

    // RFC 8489 §14.6: MI-SHA256 may be truncated to 16..32 bytes in steps of 4.
    [Test]
    public void TruncatedSha256Integrity_Verifies()
    {
        byte[] data = Rfc8489B1Request;
        byte[] key = StunIntegrity.LongTermKeySha256(LongTermUsername, "example.org", "TheMatrIX");
        int start = data.Length - 36;
        var full = new byte[32];
        data.AsSpan(start + 4, 32).CopyTo(full);

        // Recompute for a 16-byte attribute: the length field covers the shorter attribute.
        byte[] truncated = data[..(start + 4 + 16)];
        SetLength(truncated, truncated.Length - 20);
        BinaryPrimitives.WriteUInt16BigEndian(truncated.AsSpan(start + 2), 16);
        byte[] input = truncated[..start];
        byte[] mac = System.Security.Cryptography.HMACSHA256.HashData(key, input);
        mac.AsSpan(0, 16).CopyTo(truncated.AsSpan(start + 4));
        Assert.That(StunReader.TryParse(truncated, out var reader, out _), Is.True);
        Assert.That(reader.VerifyMessageIntegritySha256(key), Is.True);
        Assert.That(full, Is.Not.EqualTo(mac), "the length patch changes the HMAC");
    }
}
