using System.Buffers.Binary;
using System.Net;
using WebRtc.Client.Stun;
using static WebRtc.Client.Tests.Stun.StunTestData;

namespace WebRtc.Client.Tests.Stun;

/// <summary>Hostile input never throws out of the parsers (DESIGN.md: network input never throws).</summary>
public class StunFuzzTests
{
    private const int Iterations = 120_000;

    [Test]
    public void RandomAndMutatedInput_NeverThrows()
    {
        var random = new Random(20240601);
        byte[] key = ShortTermKey;
        byte[][] seeds = [.. AllVectors, .. WrittenSeeds(key)];
        Span<ushort> unknown = stackalloc ushort[8];
        int parsed = 0, refused = 0;
        byte[] input = [];
        try
        {
            for (int i = 0; i < Iterations; i++)
            {
                input = Mutate(random, seeds[random.Next(seeds.Length)]);
                if (Exercise(input, key, unknown))
                {
                    parsed++;
                }
                else
                {
                    refused++;
                }
            }
        }
        catch (Exception e)
        {
            Assert.Fail($"Threw on input {Convert.ToHexString(input)}: {e}");
        }

        // The mutations must both keep some inputs valid and break most.
        Assert.That(parsed, Is.GreaterThan(Iterations / 50));
        Assert.That(refused, Is.GreaterThan(Iterations / 2));
        TestContext.Out.WriteLine($"{parsed} parsed, {refused} refused");
    }

    private static bool Exercise(byte[] input, byte[] key, Span<ushort> unknown)
    {
        _ = StunReader.IsStun(input);
        bool ok = StunReader.TryParse(input, out var reader, out var error);
        Assert.That(ok, Is.EqualTo(error == StunParseError.None));
        _ = reader.Type;
        _ = reader.TransactionId;
        _ = reader.VerifyMessageIntegrity(key);
        _ = reader.VerifyMessageIntegritySha256(key);
        _ = reader.GetUnknownComprehensionRequired(unknown);
        foreach (StunAttributeType type in Enum.GetValues<StunAttributeType>())
        {
            _ = reader.TryGetAttribute(type, out _);
            _ = reader.TryGetUInt32(type, out _);
            _ = reader.TryGetUInt64(type, out _);
            _ = reader.TryGetXorAddress(type, out _);
            _ = reader.TryGetAddress(type, out _);
        }

        _ = reader.TryGetErrorCode(out _, out _);
        foreach (var attribute in reader.Attributes)
        {
            _ = attribute.Value.Length;
        }

        if (StunMessage.TryParse(input, out var message))
        {
            _ = message!.Username;
            _ = message.Software;
            _ = message.Realm;
            _ = message.Nonce;
            _ = message.Priority;
            _ = message.IceControlling;
            _ = message.IceControlled;
            _ = message.XorMappedAddress;
            _ = message.MappedAddress;
            _ = message.ErrorCode;
            _ = message.UnknownAttributes;
            _ = message.ToString();
            _ = message.ToArray(key);
        }

        _ = StunMessage.TryParse(input, key, out _);
        return ok;
    }

    private static byte[][] WrittenSeeds(byte[] key)
    {
        var id = StunTransactionId.NewRandom();
        var response = new StunMessage(StunMessageType.BindingSuccess, id)
        {
            XorMappedAddress = new IPEndPoint(IPAddress.Parse("2001:db8::5"), 5000),
            MappedAddress = new IPEndPoint(IPAddress.Parse("10.1.2.3"), 6000),
            Software = "fuzz",
        };
        var error = new StunMessage(StunMessageType.BindingError, id) { ErrorCode = (420, "Unknown"), UnknownAttributes = [1, 2, 3] };
        return
        [
            IceBindingRequest(id, key),
            response.ToArray(key),
            response.ToArray(key, sha256Integrity: true),
            error.ToArray(),
            new StunMessage(StunMessageType.BindingIndication).ToArray(fingerprint: false),
        ];
    }

    private static byte[] Mutate(Random random, byte[] seed)
    {
        switch (random.Next(10))
        {
            case 0:
            {
                // Pure random bytes, sometimes with a STUN-looking header.
                var bytes = new byte[random.Next(0, 200)];
                random.NextBytes(bytes);
                if (bytes.Length >= 20 && random.Next(2) == 0)
                {
                    bytes[0] &= 0x3F;
                    BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4), StunConstants.MagicCookie);
                    BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)((bytes.Length - 20) & ~3));
                }

                return bytes;
            }

            case 1:
                return seed[..random.Next(seed.Length + 1)]; // truncation
            case 2:
            {
                // Extension with random bytes, length field adjusted half the time.
                var extra = new byte[random.Next(1, 40)];
                random.NextBytes(extra);
                byte[] bytes = [.. seed, .. extra];
                if (random.Next(2) == 0)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)(bytes.Length - 20));
                }

                return bytes;
            }

            case 3:
            {
                // Length-field edit.
                byte[] bytes = [.. seed];
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)random.Next(0, 0x10000));
                return bytes;
            }

            case 4:
            {
                // Attribute-length edit on a random attribute, to a random or a nearby value.
                byte[] bytes = [.. seed];
                var offsets = AttributeOffsets(bytes);
                if (offsets.Count > 0)
                {
                    int at = offsets[random.Next(offsets.Count)];
                    int old = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at + 2));
                    int value = random.Next(2) == 0 ? random.Next(0, 0x10000) : Math.Max(0, old + random.Next(-8, 9));
                    BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at + 2), (ushort)value);
                }

                return bytes;
            }

            case 5:
            {
                // Attribute-type edit: make known types appear in odd places.
                byte[] bytes = [.. seed];
                var offsets = AttributeOffsets(bytes);
                if (offsets.Count > 0)
                {
                    var types = Enum.GetValues<StunAttributeType>();
                    ushort type = random.Next(3) == 0 ? (ushort)random.Next(0x10000) : (ushort)types[random.Next(types.Length)];
                    BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(offsets[random.Next(offsets.Count)]), type);
                }

                return bytes;
            }

            case 6:
            case 7:
            {
                // Bit flips.
                byte[] bytes = [.. seed];
                int flips = random.Next(1, 4);
                for (int i = 0; i < flips && bytes.Length > 0; i++)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }

                return bytes;
            }

            default:
            {
                // Byte replacements, avoiding the first 8 bytes half the time so parsing gets further.
                byte[] bytes = [.. seed];
                int count = random.Next(1, 6);
                int from = random.Next(2) == 0 ? Math.Min(8, bytes.Length) : 0;
                for (int i = 0; i < count && bytes.Length > from; i++)
                {
                    bytes[random.Next(from, bytes.Length)] = (byte)random.Next(256);
                }

                return bytes;
            }
        }
    }

    private static List<int> AttributeOffsets(byte[] bytes)
    {
        var offsets = new List<int>();
        int offset = StunConstants.HeaderLength;
        while (offset + 4 <= bytes.Length)
        {
            offsets.Add(offset);
            int length = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(offset + 2));
            offset += 4 + ((length + 3) & ~3);
        }

        return offsets;
    }
}
