using System.Net;
using System.Text;
using WebRtc.Client.Stun;

namespace WebRtc.Client.Tests.Stun;

/// <summary>Typed attributes through the writer, the reader and the object model.</summary>
public class StunAttributeTests
{
    private static IEnumerable<IPEndPoint> EndPoints() =>
    [
        new(IPAddress.Parse("192.0.2.1"), 32853),
        new(IPAddress.Parse("0.0.0.0"), 0),
        new(IPAddress.Parse("255.255.255.255"), 65535),
        new(IPAddress.Parse("2001:db8::1"), 443),
        new(IPAddress.Parse("fe80::1:2:3:4"), 1),
        new(IPAddress.IPv6Loopback, 3478),
    ];

    // RFC 8489 §14.2: XOR-MAPPED-ADDRESS, IPv4 XORed with the cookie, IPv6 with cookie + transaction ID.
    [TestCaseSource(nameof(EndPoints))]
    public void XorAddress_RoundTrips(IPEndPoint endPoint)
    {
        var id = StunTransactionId.NewRandom();
        var buffer = new byte[128];
        var writer = new StunWriter(buffer, StunMessageType.BindingSuccess, id);
        writer.AddXorAddress(StunAttributeType.XorMappedAddress, endPoint);
        writer.AddAddress(StunAttributeType.MappedAddress, endPoint);
        writer.AddXorAddress(StunAttributeType.XorRelayedAddress, endPoint);

        Assert.That(StunReader.TryParse(writer.Written, out var reader, out _), Is.True);
        Assert.That(reader.TryGetXorAddress(StunAttributeType.XorMappedAddress, out var xor), Is.True);
        Assert.That(xor, Is.EqualTo(endPoint));
        Assert.That(reader.TryGetAddress(StunAttributeType.MappedAddress, out var plain), Is.True);
        Assert.That(plain, Is.EqualTo(endPoint));
        Assert.That(reader.TryGetXorAddress(StunAttributeType.XorRelayedAddress, out var relayed), Is.True);
        Assert.That(relayed, Is.EqualTo(endPoint));
        Assert.That(reader.TryGetXorAddress(StunAttributeType.XorPeerAddress, out _), Is.False);

        Assert.That(StunMessage.TryParse(writer.Written, out var message), Is.True);
        Assert.That(message!.XorMappedAddress, Is.EqualTo(endPoint));
        Assert.That(message.MappedAddress, Is.EqualTo(endPoint));

        var built = new StunMessage(StunMessageType.BindingSuccess, id) { XorMappedAddress = endPoint };
        Assert.That(StunReader.TryParse(built.ToArray(), out var again, out _), Is.True);
        Assert.That(again.TryGetXorAddress(StunAttributeType.XorMappedAddress, out var back), Is.True);
        Assert.That(back, Is.EqualTo(endPoint));
    }

    // RFC 8489 §14.1: an address value with an unknown family or the wrong length is not an address.
    [Test]
    public void BadAddressValues_AreNotAddresses()
    {
        foreach (byte[] value in new byte[][] { [0, 3, 0, 1, 1, 2, 3, 4], [0, 1, 0, 1, 1, 2, 3], [0, 2, 0, 1, 1, 2, 3, 4], [0, 1, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8] })
        {
            var buffer = new byte[64];
            var writer = new StunWriter(buffer, StunMessageType.BindingSuccess, StunTransactionId.NewRandom());
            writer.AddAttribute(StunAttributeType.XorMappedAddress, value);
            Assert.That(StunReader.TryParse(writer.Written, out var reader, out _), Is.True);
            Assert.That(reader.TryGetXorAddress(StunAttributeType.XorMappedAddress, out var endPoint), Is.False);
            Assert.That(endPoint, Is.Null);
        }
    }

    // RFC 8489 §14.8: ERROR-CODE is class (hundreds) and number, then a UTF-8 reason phrase.
    [TestCase(300, "Try Alternate")]
    [TestCase(401, "Unauthenticated")]
    [TestCase(420, "Unknown Attribute")]
    [TestCase(438, "Stale Nonce")]
    [TestCase(699, "")]
    public void ErrorCode_RoundTrips(int code, string reason)
    {
        var buffer = new byte[128];
        var writer = new StunWriter(buffer, StunMessageType.BindingError, StunTransactionId.NewRandom());
        writer.AddErrorCode(code, reason);
        Assert.That(StunReader.TryParse(writer.Written, out var reader, out _), Is.True);
        Assert.That(reader.TryGetErrorCode(out int readCode, out var readReason), Is.True);
        Assert.That(readCode, Is.EqualTo(code));
        Assert.That(Encoding.UTF8.GetString(readReason), Is.EqualTo(reason));

        Assert.That(StunMessage.TryParse(writer.Written, out var message), Is.True);
        Assert.That(message!.ErrorCode, Is.EqualTo((code, reason)));
        var built = new StunMessage(StunMessageType.BindingError) { ErrorCode = (code, reason) };
        Assert.That(StunMessage.TryParse(built.ToArray(), out var again), Is.True);
        Assert.That(again!.ErrorCode, Is.EqualTo((code, reason)));
    }

    // RFC 8489 §14.8: codes outside 300..699 are refused when writing and reading.
    [Test]
    public void ErrorCode_OutOfRange()
    {
        var buffer = new byte[64];
        Assert.That(() => new StunWriter(buffer, StunMessageType.BindingError, default).AddErrorCode(299, "x"), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => new StunMessage(StunMessageType.BindingError) { ErrorCode = (700, "x") }, Throws.TypeOf<ArgumentOutOfRangeException>());

        var writer = new StunWriter(buffer, StunMessageType.BindingError, default);
        writer.AddAttribute(StunAttributeType.ErrorCode, [0, 0, 7, 0]);
        Assert.That(StunReader.TryParse(writer.Written, out var reader, out _), Is.True);
        Assert.That(reader.TryGetErrorCode(out _, out _), Is.False);
    }

    // RFC 8489 §14.13: UNKNOWN-ATTRIBUTES lists 16-bit types.
    [Test]
    public void UnknownAttributes_RoundTrip()
    {
        ushort[] types = [0x0031, 0x7FFF, 0x0002];
        var buffer = new byte[64];
        var writer = new StunWriter(buffer, StunMessageType.BindingError, StunTransactionId.NewRandom());
        writer.AddErrorCode(420, "Unknown Attribute");
        writer.AddUnknownAttributes(types);
        Assert.That(StunMessage.TryParse(writer.Written, out var message), Is.True);
        Assert.That(message!.UnknownAttributes, Is.EqualTo(types));

        var built = new StunMessage(StunMessageType.BindingError) { UnknownAttributes = types };
        Assert.That(StunMessage.TryParse(built.ToArray(), out var again), Is.True);
        Assert.That(again!.UnknownAttributes, Is.EqualTo(types));
    }

    // RFC 8489 §6.3.1: unknown comprehension-required attributes (0x0000-0x7FFF) are reported; optional ones are not.
    [Test]
    public void GetUnknownComprehensionRequired_ListsOnlyUnknownRequiredTypes()
    {
        var buffer = new byte[128];
        var writer = new StunWriter(buffer, StunMessageType.BindingRequest, StunTransactionId.NewRandom());
        writer.AddString(StunAttributeType.Username, "a:b");
        writer.AddAttribute((StunAttributeType)0x0031, [1]);
        writer.AddAttribute((StunAttributeType)0x8070, [2]);
        writer.AddFlag(StunAttributeType.UseCandidate);
        writer.AddAttribute((StunAttributeType)0x7FFF, []);
        writer.AddAttribute((StunAttributeType)0x0002, [1, 2, 3, 4]); // RESPONSE-ADDRESS, gone since RFC 5389
        Assert.That(StunReader.TryParse(writer.Written, out var reader, out _), Is.True);

        Span<ushort> found = stackalloc ushort[8];
        int count = reader.GetUnknownComprehensionRequired(found);
        Assert.That(found[..count].ToArray(), Is.EqualTo(new ushort[] { 0x0031, 0x7FFF, 0x0002 }));

        // A short destination still gets the count.
        Span<ushort> one = stackalloc ushort[1];
        Assert.That(reader.GetUnknownComprehensionRequired(one), Is.EqualTo(3));
        Assert.That(one[0], Is.EqualTo((ushort)0x0031));
    }

    // RFC 8489 §14: unknown comprehension-optional attributes are kept, in order, through the object model.
    [Test]
    public void UnknownAttributes_SurviveObjectModelRoundTrip()
    {
        var id = StunTransactionId.NewRandom();
        var buffer = new byte[128];
        var writer = new StunWriter(buffer, StunMessageType.BindingRequest, id);
        writer.AddAttribute((StunAttributeType)0xC057, [0, 1, 0, 5]); // network cost, as Chromium sends it
        writer.AddString(StunAttributeType.Username, "x:y");
        writer.AddAttribute((StunAttributeType)0x8FFF, [9, 8, 7]);
        writer.AddFingerprint();
        byte[] data = writer.Written.ToArray();

        Assert.That(StunMessage.TryParse(data, out var message), Is.True);
        Assert.That(message!.Attributes.Select(a => (ushort)a.Type), Is.EqualTo(new ushort[] { 0xC057, 0x0006, 0x8FFF }));
        Assert.That(message.Attributes[0].IsComprehensionOptional, Is.True);
        Assert.That(message.Attributes[1].IsComprehensionOptional, Is.False);
        Assert.That(message.Get((StunAttributeType)0x8FFF)!.Value, Is.EqualTo(new byte[] { 9, 8, 7 }));
        Assert.That(message.ToArray(), Is.EqualTo(data));
    }

    // RFC 8445 §7.1.1: a connectivity check's attributes through the object model setters.
    [Test]
    public void IceAttributes_RoundTrip()
    {
        var message = new StunMessage(StunMessageType.BindingRequest)
        {
            Username = "remote:local",
            Priority = 0x6E0001FF,
            IceControlling = ulong.MaxValue,
            UseCandidate = true,
        };
        byte[] key = StunIntegrity.ShortTermKey("password");
        Assert.That(StunMessage.TryParse(message.ToArray(key), key, out var parsed), Is.True);
        Assert.That(parsed!.Username, Is.EqualTo("remote:local"));
        Assert.That(parsed.Priority, Is.EqualTo(0x6E0001FFu));
        Assert.That(parsed.IceControlling, Is.EqualTo(ulong.MaxValue));
        Assert.That(parsed.UseCandidate, Is.True);
        Assert.That(parsed.IceControlled, Is.Null);

        parsed.UseCandidate = false;
        parsed.Priority = null;
        Assert.That(parsed.Attributes.Select(a => a.Type), Is.EqualTo(new[] { StunAttributeType.Username, StunAttributeType.IceControlling }));
    }

    // RFC 8489 §14.7: FINGERPRINT is CRC-32 (ISO-HDLC) XOR 0x5354554E; check value of "123456789" is 0xCBF43926.
    [Test]
    public void Crc32_MatchesCheckValue()
    {
        Assert.That(Crc32.Compute("123456789"u8), Is.EqualTo(0xCBF43926u));
        Assert.That(Crc32.Compute([]), Is.Zero);
        var random = new Random(7);
        for (int length = 0; length < 70; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.That(Crc32.Compute(data), Is.EqualTo(BitwiseCrc(data)), $"length {length}");
        }
    }

    private static uint BitwiseCrc(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}
