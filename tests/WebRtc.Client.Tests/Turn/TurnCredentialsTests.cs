using WebRtc.Client.Stun;
using WebRtc.Client.Turn;
using static WebRtc.Client.Tests.Stun.StunTestData;
using static WebRtc.Client.Tests.Turn.ScriptedTurnServer;

namespace WebRtc.Client.Tests.Turn;

/// <summary>
/// The long-term credential mechanism of the TURN client (RFC 8489 §9.2) against the published
/// vectors: RFC 5769 §2.4 (MD5 key, MESSAGE-INTEGRITY) and RFC 8489 B.1 (SHA-256 key,
/// MESSAGE-INTEGRITY-SHA256), and the PASSWORD-ALGORITHMS negotiation end to end.
/// </summary>
public class TurnCredentialsTests
{
    private static readonly StunTransactionId VectorId = StunTransactionId.Read(Hex("78 ad 34 33 c6 ad 72 c0 29 da 41 2e"));

    // A challenge as a server would send it before the vector's request.
    private static byte[] VectorChallenge(string nonce, byte[]? algorithms)
    {
        var buffer = new byte[256];
        var writer = new StunWriter(buffer, StunMessageType.BindingError, VectorId);
        writer.AddErrorCode(401, "Unauthorized");
        writer.AddString(StunAttributeType.Realm, "example.org");
        writer.AddString(StunAttributeType.Nonce, nonce);
        if (algorithms is not null)
        {
            writer.AddAttribute(StunAttributeType.PasswordAlgorithms, algorithms);
        }

        return writer.Written.ToArray();
    }

    private static TurnCredentials Challenged(string nonce, byte[]? algorithms)
    {
        // RFC 5769 §2.4: the password is "TheMatr\u00ADIX" before SASLprep, "TheMatrIX" after.
        var credentials = new TurnCredentials(LongTermUsername, "TheMatrIX");
        Assert.That(StunReader.TryParse(VectorChallenge(nonce, algorithms), out var challenge, out _), Is.True);
        Assert.That(credentials.TryAcceptChallenge(challenge), Is.True);
        return credentials;
    }

    // RFC 5769 §2.4: the client's attributes and MESSAGE-INTEGRITY reproduce the vector byte for byte.
    [Test]
    public void Rfc5769LongTermRequest_IsWrittenByteExact()
    {
        var credentials = Challenged("f//499k954d6OL34oL9FSTvy64sA", algorithms: null);
        Assert.That(credentials.Key, Is.EqualTo(StunIntegrity.LongTermKey(LongTermUsername, "example.org", "TheMatrIX")));
        Assert.That(credentials.UsesSha256, Is.False);

        var buffer = new byte[200];
        var writer = new StunWriter(buffer, StunMessageType.BindingRequest, VectorId);
        credentials.AddAttributes(ref writer);
        credentials.Sign(ref writer);
        Assert.That(writer.Written.ToArray(), Is.EqualTo(Rfc5769LongTermRequest));

        Assert.That(StunReader.TryParse(Rfc5769LongTermRequest, out var reader, out _), Is.True);
        Assert.That(TurnCredentials.Verify(reader, credentials.Key!), Is.True);
    }

    // RFC 8489 B.1: with PASSWORD-ALGORITHMS offering SHA-256 behind the nonce cookie, the key is
    // SHA-256(user:realm:pass) and the vector's MESSAGE-INTEGRITY-SHA256 verifies with it.
    [Test]
    public void Rfc8489B1_Sha256KeyVerifiesTheVector_AndSignsTheSameWay()
    {
        const string Nonce = "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA";
        var credentials = Challenged(Nonce, PasswordAlgorithms(TurnCredentials.AlgorithmSha256, TurnCredentials.AlgorithmMd5));
        Assert.That(credentials.UsesSha256, Is.True);
        Assert.That(credentials.Key, Is.EqualTo(StunIntegrity.LongTermKeySha256(LongTermUsername, "example.org", "TheMatrIX")));

        Assert.That(StunReader.TryParse(Rfc8489B1Request, out var reader, out _), Is.True);
        Assert.That(TurnCredentials.Verify(reader, credentials.Key!), Is.True);
        Assert.That(TurnCredentials.Verify(reader, StunIntegrity.LongTermKey(LongTermUsername, "example.org", "TheMatrIX")), Is.False);

        // The vector's bytes before MESSAGE-INTEGRITY-SHA256, signed by the client, give the vector.
        byte[] vector = Rfc8489B1Request;
        int integrityAt = vector.Length - StunConstants.MessageIntegritySha256AttributeLength;
        var buffer = new byte[256];
        var writer = new StunWriter(buffer, StunMessageType.BindingRequest, VectorId);
        writer.AddAttribute(StunAttributeType.UserHash, vector.AsSpan(24, 32));
        writer.AddString(StunAttributeType.Nonce, Nonce);
        writer.AddString(StunAttributeType.Realm, "example.org");
        writer.AddUInt32(StunAttributeType.PasswordAlgorithm, (uint)TurnCredentials.AlgorithmSha256 << 16);
        Assert.That(writer.Written[4..].ToArray(), Is.EqualTo(vector[4..integrityAt]), "all but the header length");
        credentials.Sign(ref writer);
        Assert.That(writer.Written.ToArray(), Is.EqualTo(vector));
    }

    [Test]
    public void PasswordAlgorithms_FirstSupportedWins_MalformedOrUnknownIsRefused()
    {
        Assert.That(TurnCredentials.ChooseAlgorithm(PasswordAlgorithms(0x0009, 2, 1)), Is.EqualTo(2));
        Assert.That(TurnCredentials.ChooseAlgorithm(PasswordAlgorithms(1, 2)), Is.EqualTo(1), "RFC 8489 §9.2.5: the first supported");
        Assert.That(TurnCredentials.ChooseAlgorithm(PasswordAlgorithms(0x0009)), Is.Zero);
        Assert.That(TurnCredentials.ChooseAlgorithm([0, 2, 0]), Is.Zero, "truncated");
        Assert.That(TurnCredentials.ChooseAlgorithm([0, 2, 0, 8, 1, 2, 3, 4]), Is.Zero, "parameters overrun");
        Assert.That(TurnCredentials.ChooseAlgorithm([0, 9, 0, 2, 1, 2, 0, 0, 0, 2, 0, 0]), Is.EqualTo(2), "parameters padded");

        // No supported algorithm: RFC 8489 §9.2.5 says do not retry.
        var credentials = new TurnCredentials("u", "p");
        Assert.That(StunReader.TryParse(VectorChallenge("obMatJos2AAACxyz", PasswordAlgorithms(0x0009)), out var challenge, out _), Is.True);
        Assert.That(credentials.TryAcceptChallenge(challenge), Is.False);
        Assert.That(credentials.Key, Is.Null);
    }

    [Test]
    public void PasswordAlgorithms_WithoutTheNonceCookie_AreIgnored()
    {
        var credentials = Challenged("plain-nonce", PasswordAlgorithms(TurnCredentials.AlgorithmSha256));
        Assert.That(credentials.UsesSha256, Is.False);
        Assert.That(credentials.PasswordAlgorithms, Is.Null);
    }

    [Test]
    public void Allocate_WithSha256Offered_SignsWithMessageIntegritySha256_AndEchoesTheAlgorithms()
    {
        const string CookieNonce = "obMatJos2AAACnonce";
        byte[] offered = PasswordAlgorithms(TurnCredentials.AlgorithmSha256, TurnCredentials.AlgorithmMd5);
        byte[] sha256Key = StunIntegrity.LongTermKeySha256(Username, Realm, Password);
        var server = new ScriptedTurnServer();
        server.Client.Allocate(TimeSpan.Zero);
        server.Deliver(Challenge(server.Last, nonce: CookieNonce, passwordAlgorithms: offered), TimeSpan.Zero);

        byte[] request = server.Last;
        Assert.That(StunReader.TryParse(request, out var reader, out _), Is.True);
        Assert.That(reader.TryGetAttribute(StunAttributeType.PasswordAlgorithms, out var echoed) && echoed.SequenceEqual(offered), Is.True);
        Assert.That(UInt32Of(request, StunAttributeType.PasswordAlgorithm), Is.EqualTo(0x00020000u));
        Assert.That(reader.HasMessageIntegrity, Is.False);
        Assert.That(reader.VerifyMessageIntegritySha256(sha256Key), Is.True);

        Assert.That(server.Client.HandleServerMessage(AllocateSuccess(request, key: Key()), TimeSpan.Zero), Is.False, "the MD5 key is not the key");
        server.Deliver(AllocateSuccess(request, key: sha256Key, sha256: true), TimeSpan.Zero);
        Assert.That(server.Client.State, Is.EqualTo(TurnClientState.Allocated));
    }
}
