using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using WebRtc.Client.Stun;
using static WebRtc.Client.Tests.Stun.StunTestData;

namespace WebRtc.Client.Tests.Stun;

/// <summary>The RFC 5769 test vectors and the RFC 8489 B.1 vector: parse, verify, rebuild.</summary>
public class Rfc5769VectorTests
{
    private static readonly StunTransactionId VectorId = StunTransactionId.Read(Hex("b7 e7 a7 01 bc 34 d6 86 fa 87 df ae"));
    private static readonly StunTransactionId LongTermId = StunTransactionId.Read(Hex("78 ad 34 33 c6 ad 72 c0 29 da 41 2e"));
    private static readonly IPEndPoint MappedV4 = new(IPAddress.Parse("192.0.2.1"), 32853);
    private static readonly IPEndPoint MappedV6 = new(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), 32853);

    // RFC 5769 §2.1: sample request, short-term credentials.
    [Test]
    public void SampleRequest_ParsesAndVerifies()
    {
        byte[] data = Rfc5769Request;
        Assert.That(StunReader.TryParse(data, out var reader, out var error), Is.True);
        Assert.That(error, Is.EqualTo(StunParseError.None));
        Assert.That(reader.Type, Is.EqualTo(StunMessageType.BindingRequest));
        Assert.That(reader.TransactionId, Is.EqualTo(VectorId));
        Assert.That(reader.TryGetAttribute(StunAttributeType.Software, out var software), Is.True);
        Assert.That(Encoding.UTF8.GetString(software), Is.EqualTo("STUN test client"));
        Assert.That(reader.TryGetUInt32(StunAttributeType.Priority, out uint priority), Is.True);
        Assert.That(priority, Is.EqualTo(0x6E0001FFu));
        Assert.That(reader.TryGetUInt64(StunAttributeType.IceControlled, out ulong tieBreaker), Is.True);
        Assert.That(tieBreaker, Is.EqualTo(0x932FF9B151263B36ul));
        Assert.That(reader.TryGetAttribute(StunAttributeType.Username, out var username), Is.True);
        Assert.That(Encoding.UTF8.GetString(username), Is.EqualTo("evtj:h6vY"));
        Assert.That(reader.HasMessageIntegrity, Is.True);
        Assert.That(reader.HasFingerprint, Is.True);
        Assert.That(reader.VerifyMessageIntegrity(ShortTermKey), Is.True);
        Assert.That(reader.VerifyMessageIntegrity(Encoding.UTF8.GetBytes("VOkJxbRl1RmTxUk/WvJxBT")), Is.False);
        Span<ushort> unknown = stackalloc ushort[4];
        Assert.That(reader.GetUnknownComprehensionRequired(unknown), Is.Zero);
    }

    // RFC 5769 §2.1: the vector pads USERNAME with 0x20, so the writer gets the same bytes when the test writes that padding.
    [Test]
    public void SampleRequest_RebuiltWithWriter_IsByteExact()
    {
        var buffer = new byte[200];
        var writer = new StunWriter(buffer, StunMessageType.BindingRequest, VectorId);
        writer.AddString(StunAttributeType.Software, "STUN test client");
        writer.AddUInt32(StunAttributeType.Priority, 0x6E0001FF);
        writer.AddUInt64(StunAttributeType.IceControlled, 0x932FF9B151263B36);
        writer.AddString(StunAttributeType.Username, "evtj:h6vY");
        buffer.AsSpan(writer.Length - 3, 3).Fill(0x20);
        writer.AddMessageIntegrity(ShortTermKey);
        writer.AddFingerprint();
        Assert.That(writer.Written.ToArray(), Is.EqualTo(Rfc5769Request));
    }

    // RFC 5769 §2.1 through the object model: padding is written as zeros (RFC 8489 §14 lets the
    // sender choose), so MI and FINGERPRINT differ from the vector; everything else is identical.
    [Test]
    public void SampleRequest_ObjectModelRoundTrip_EqualModuloPadding()
    {
        byte[] data = Rfc5769Request;
        Assert.That(StunMessage.TryParse(data, ShortTermKey, out var message), Is.True);
        Assert.That(message!.Username, Is.EqualTo("evtj:h6vY"));
        Assert.That(message.Software, Is.EqualTo("STUN test client"));
        Assert.That(message.Priority, Is.EqualTo(0x6E0001FFu));
        Assert.That(message.IceControlled, Is.EqualTo(0x932FF9B151263B36ul));
        Assert.That(message.IceControlling, Is.Null);
        Assert.That(message.HasMessageIntegrity && message.HasFingerprint, Is.True);
        Assert.That(message.Attributes.Select(a => a.Type), Is.EqualTo(new[]
        {
            StunAttributeType.Software, StunAttributeType.Priority, StunAttributeType.IceControlled, StunAttributeType.Username,
        }));

        byte[] rebuilt = message.ToArray(ShortTermKey);
        AssertEqualExceptPaddingAndChecks(data, rebuilt);
        AssertChecksVerify(rebuilt, ShortTermKey);
    }

    // RFC 5769 §2.2: IPv4 response, XOR-MAPPED-ADDRESS 192.0.2.1:32853.
    [Test]
    public void IPv4Response_ParsesVerifiesAndRebuilds() => AssertResponseVector(Rfc5769IPv4Response, MappedV4);

    // RFC 5769 §2.3: IPv6 response, XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853.
    [Test]
    public void IPv6Response_ParsesVerifiesAndRebuilds() => AssertResponseVector(Rfc5769IPv6Response, MappedV6);

    // RFC 5769 §2.4: long-term credentials, key = MD5(username ":" realm ":" SASLprep(password)).
    [Test]
    public void LongTermRequest_ParsesAndVerifies()
    {
        byte[] data = Rfc5769LongTermRequest;
        byte[] key = StunIntegrity.LongTermKey(LongTermUsername, "example.org", "TheMatrIX");

        Assert.That(StunReader.TryParse(data, out var reader, out _), Is.True);
        Assert.That(reader.Type, Is.EqualTo(StunMessageType.BindingRequest));
        Assert.That(reader.TransactionId, Is.EqualTo(LongTermId));
        Assert.That(reader.TryGetAttribute(StunAttributeType.Username, out var username), Is.True);
        Assert.That(Encoding.UTF8.GetString(username), Is.EqualTo(LongTermUsername));
        Assert.That(reader.TryGetAttribute(StunAttributeType.Nonce, out var nonce), Is.True);
        Assert.That(Encoding.UTF8.GetString(nonce), Is.EqualTo("f//499k954d6OL34oL9FSTvy64sA"));
        Assert.That(reader.TryGetAttribute(StunAttributeType.Realm, out var realm), Is.True);
        Assert.That(Encoding.UTF8.GetString(realm), Is.EqualTo("example.org"));
        Assert.That(reader.HasFingerprint, Is.False);
        Assert.That(reader.HasMessageIntegritySha256, Is.False);
        Assert.That(reader.VerifyMessageIntegrity(key), Is.True);
        Assert.That(reader.VerifyMessageIntegrity(StunIntegrity.LongTermKey(LongTermUsername, "example.org", "TheMatrix")), Is.False);
    }

    // RFC 5769 §2.4: its padding is zeros, so both writers reproduce it byte for byte.
    [Test]
    public void LongTermRequest_RebuiltWithWriterAndObjectModel_IsByteExact()
    {
        byte[] key = StunIntegrity.LongTermKey(LongTermUsername, "example.org", "TheMatrIX");
        var buffer = new byte[200];
        var writer = new StunWriter(buffer, StunMessageType.BindingRequest, LongTermId);
        writer.AddString(StunAttributeType.Username, LongTermUsername);
        writer.AddString(StunAttributeType.Nonce, "f//499k954d6OL34oL9FSTvy64sA");
        writer.AddString(StunAttributeType.Realm, "example.org");
        writer.AddMessageIntegrity(key);
        Assert.That(writer.Written.ToArray(), Is.EqualTo(Rfc5769LongTermRequest));

        var message = new StunMessage(StunMessageType.BindingRequest, LongTermId)
        {
            Username = LongTermUsername,
            Nonce = "f//499k954d6OL34oL9FSTvy64sA",
            Realm = "example.org",
        };
        Assert.That(message.ToArray(key, fingerprint: false), Is.EqualTo(Rfc5769LongTermRequest));

        Assert.That(StunMessage.TryParse(Rfc5769LongTermRequest, key, out var parsed), Is.True);
        Assert.That(parsed!.ToArray(key, fingerprint: false), Is.EqualTo(Rfc5769LongTermRequest));
    }

    // RFC 8489 Appendix B.1 (erratum 6268): USERHASH, PASSWORD-ALGORITHM SHA-256, MESSAGE-INTEGRITY-SHA256.
    [Test]
    public void Rfc8489B1_ParsesVerifiesAndRebuilds()
    {
        byte[] data = Rfc8489B1Request;
        byte[] key = StunIntegrity.LongTermKeySha256(LongTermUsername, "example.org", "TheMatrIX");
        const string Nonce = "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA";

        Assert.That(StunReader.TryParse(data, out var reader, out var error), Is.True, error.ToString());
        Assert.That(reader.TransactionId, Is.EqualTo(LongTermId));
        // RFC 8489 §14.4: USERHASH = SHA-256(OpaqueString(username) ":" OpaqueString(realm)).
        byte[] userHash = SHA256.HashData(Encoding.UTF8.GetBytes(LongTermUsername + ":example.org"));
        Assert.That(reader.TryGetAttribute(StunAttributeType.UserHash, out var hash), Is.True);
        Assert.That(hash.ToArray(), Is.EqualTo(userHash));
        Assert.That(reader.TryGetAttribute(StunAttributeType.Nonce, out var nonce), Is.True);
        Assert.That(Encoding.UTF8.GetString(nonce), Is.EqualTo(Nonce));
        Assert.That(reader.TryGetUInt32(StunAttributeType.PasswordAlgorithm, out uint algorithm), Is.True);
        Assert.That(algorithm, Is.EqualTo(0x00020000u), "SHA-256 (0x0002), no parameters");
        Assert.That(reader.HasMessageIntegrity, Is.False);
        Assert.That(reader.HasMessageIntegritySha256, Is.True);
        Assert.That(reader.VerifyMessageIntegritySha256(key), Is.True);
        Assert.That(reader.VerifyMessageIntegritySha256(StunIntegrity.LongTermKeySha256(LongTermUsername, "example.org", "TheMatrix")), Is.False);
        Assert.That(reader.VerifyMessageIntegrity(key), Is.False, "there is no SHA-1 MESSAGE-INTEGRITY");

        var buffer = new byte[200];
        var writer = new StunWriter(buffer, StunMessageType.BindingRequest, LongTermId);
        writer.AddAttribute(StunAttributeType.UserHash, userHash);
        writer.AddString(StunAttributeType.Nonce, Nonce);
        writer.AddString(StunAttributeType.Realm, "example.org");
        writer.AddUInt32(StunAttributeType.PasswordAlgorithm, 0x00020000);
        writer.AddMessageIntegritySha256(key);
        Assert.That(writer.Written.ToArray(), Is.EqualTo(data));

        Assert.That(StunMessage.TryParse(data, key, out var message), Is.True);
        Assert.That(message!.ToArray(key, fingerprint: false, sha256Integrity: true), Is.EqualTo(data));
    }

    // RFC 8489 §5: the B.1 vector as first printed counts the header in its length (erratum 6268).
    [Test]
    public void Rfc8489B1_AsOriginallyPrinted_IsRefusedForItsLength()
    {
        byte[] data = Hex("""
            00 01 00 9c 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
            00 1e 00 20 4a 3c f3 8f ef 69 92 bd a9 52 c6 78 04 17 da 0f 24 81 94 15 56 9e 60 b2 05 c4 6e 41 40 7f 17 04
            00 15 00 29 6f 62 4d 61 74 4a 6f 73 32 41 41 41 43 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39
                        46 53 54 76 79 36 34 73 41 00 00 00
            00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
            00 1c 00 20 e4 68 6c 8f 0e de b5 90 13 e0 70 90 01 0a 93 ef cc bc cc 54 4c 0a 45 d9 f8 30 aa 6d 6f 73 5a 01
            """);
        Assert.That(StunReader.TryParse(data, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(StunParseError.BadLength));
    }

    private static void AssertResponseVector(byte[] data, IPEndPoint mapped)
    {
        Assert.That(StunReader.TryParse(data, out var reader, out _), Is.True);
        Assert.That(reader.Type, Is.EqualTo(StunMessageType.BindingSuccess));
        Assert.That(reader.TransactionId, Is.EqualTo(VectorId));
        Assert.That(reader.TryGetAttribute(StunAttributeType.Software, out var software), Is.True);
        Assert.That(Encoding.UTF8.GetString(software), Is.EqualTo("test vector"));
        Assert.That(reader.TryGetXorAddress(StunAttributeType.XorMappedAddress, out var endPoint), Is.True);
        Assert.That(endPoint, Is.EqualTo(mapped));
        Assert.That(reader.HasFingerprint, Is.True);
        Assert.That(reader.VerifyMessageIntegrity(ShortTermKey), Is.True);
        Assert.That(reader.VerifyMessageIntegrity([1, 2, 3]), Is.False);

        // The vector pads SOFTWARE with 0x20; written in by the test, the writer matches byte for byte.
        var buffer = new byte[200];
        var writer = new StunWriter(buffer, StunMessageType.BindingSuccess, VectorId);
        writer.AddString(StunAttributeType.Software, "test vector");
        buffer[writer.Length - 1] = 0x20;
        writer.AddXorAddress(StunAttributeType.XorMappedAddress, mapped);
        writer.AddMessageIntegrity(ShortTermKey);
        writer.AddFingerprint();
        Assert.That(writer.Written.ToArray(), Is.EqualTo(data));

        Assert.That(StunMessage.TryParse(data, ShortTermKey, out var message), Is.True);
        Assert.That(message!.XorMappedAddress, Is.EqualTo(mapped));
        Assert.That(message.Software, Is.EqualTo("test vector"));
        byte[] rebuilt = message.ToArray(ShortTermKey);
        AssertEqualExceptPaddingAndChecks(data, rebuilt);
        AssertChecksVerify(rebuilt, ShortTermKey);

        var fresh = new StunMessage(StunMessageType.BindingSuccess, VectorId) { Software = "test vector", XorMappedAddress = mapped };
        Assert.That(fresh.ToArray(ShortTermKey), Is.EqualTo(rebuilt));
    }

    private static void AssertChecksVerify(byte[] data, byte[] key)
    {
        Assert.That(StunReader.TryParse(data, out var reader, out var error), Is.True, error.ToString());
        Assert.That(reader.HasFingerprint, Is.True);
        Assert.That(reader.VerifyMessageIntegrity(key), Is.True);
    }

    /// <summary>Same bytes except attribute padding and the MI / FINGERPRINT values that cover it.</summary>
    private static void AssertEqualExceptPaddingAndChecks(byte[] expected, byte[] actual)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length));
        var ignore = new bool[expected.Length];
        int offset = StunConstants.HeaderLength;
        while (offset < expected.Length)
        {
            var type = (StunAttributeType)BinaryPrimitives.ReadUInt16BigEndian(expected.AsSpan(offset));
            int length = BinaryPrimitives.ReadUInt16BigEndian(expected.AsSpan(offset + 2));
            int padded = (length + 3) & ~3;
            int from = type is StunAttributeType.MessageIntegrity or StunAttributeType.Fingerprint ? 4 : 4 + length;
            for (int i = from; i < 4 + padded; i++)
            {
                ignore[offset + i] = true;
            }

            offset += 4 + padded;
        }

        for (int i = 0; i < expected.Length; i++)
        {
            if (!ignore[i])
            {
                Assert.That(actual[i], Is.EqualTo(expected[i]), $"byte {i}");
            }
        }
    }
}
