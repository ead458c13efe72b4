using System.Buffers.Binary;
using System.Text;
using WebRtc.Client.Stun;

namespace WebRtc.Client.Turn;

/// <summary>
/// The client side of the long-term credential mechanism for one server (RFC 8489 §9.2): the
/// realm, nonce and password algorithm a challenge set, the key they make, and how requests are
/// signed and responses checked with it. Requests before the first challenge carry nothing.
/// </summary>
internal sealed class TurnCredentials
{
    /// <summary>PASSWORD-ALGORITHM MD5 (RFC 8489 §18.5).</summary>
    public const ushort AlgorithmMd5 = 0x0001;

    /// <summary>PASSWORD-ALGORITHM SHA-256 (RFC 8489 §18.5).</summary>
    public const ushort AlgorithmSha256 = 0x0002;

    // RFC 8489 §9.2: the nonce cookie that says the server knows the RFC 8489 security features.
    private static ReadOnlySpan<byte> NonceCookie => "obMatJos2"u8;

    // RFC 8489 §14.9, §14.10: REALM and NONCE are under 128 characters, at most 763 bytes.
    private const int MaxTextLength = 763;

    // Far more than the two algorithms defined; a longer list is hostile.
    private const int MaxPasswordAlgorithmsLength = 256;

    private readonly string _username;
    private readonly string _password;

    public TurnCredentials(string username, string password)
    {
        _username = username;
        _password = password;
    }

    /// <summary>REALM of the last challenge, as received.</summary>
    public byte[]? Realm { get; private set; }

    /// <summary>NONCE of the last challenge, as received.</summary>
    public byte[]? Nonce { get; private set; }

    /// <summary>PASSWORD-ALGORITHMS of the challenge, echoed in every request (RFC 8489 §9.2.5); null when absent.</summary>
    public byte[]? PasswordAlgorithms { get; private set; }

    /// <summary>The chosen PASSWORD-ALGORITHM, or 0 when the server offered none (MD5 implied, nothing sent).</summary>
    public ushort Algorithm { get; private set; }

    /// <summary>The long-term key, or null before the first challenge.</summary>
    public byte[]? Key { get; private set; }

    /// <summary>True when requests are signed with MESSAGE-INTEGRITY-SHA256 (the SHA-256 password algorithm).</summary>
    public bool UsesSha256 => Algorithm == AlgorithmSha256;

    /// <summary>
    /// Takes REALM, NONCE and PASSWORD-ALGORITHMS from a 401 or 438 (RFC 8489 §9.2.5). A 438
    /// may omit REALM and keep the current one. False when the challenge cannot be answered:
    /// no nonce, no realm, oversized values, or no password algorithm this client knows.
    /// </summary>
    public bool TryAcceptChallenge(in StunReader response)
    {
        if (!response.TryGetAttribute(StunAttributeType.Nonce, out var nonce) || nonce.IsEmpty || nonce.Length > MaxTextLength)
        {
            return false;
        }

        byte[]? realm = Realm;
        if (response.TryGetAttribute(StunAttributeType.Realm, out var realmValue))
        {
            if (realmValue.IsEmpty || realmValue.Length > MaxTextLength)
            {
                return false;
            }

            realm = realmValue.ToArray();
        }

        if (realm is null)
        {
            return false;
        }

        // RFC 8489 §9.2.5: algorithms are negotiated only with a server that sent the nonce cookie.
        // The cookie's feature bits are not relied on: implementations number them differently
        // (the B.1 example sets 0x000002), so PASSWORD-ALGORITHMS itself decides.
        byte[]? algorithms = null;
        ushort algorithm = 0;
        if (nonce.StartsWith(NonceCookie) && response.TryGetAttribute(StunAttributeType.PasswordAlgorithms, out var offered))
        {
            if (offered.Length > MaxPasswordAlgorithmsLength)
            {
                return false;
            }

            algorithm = ChooseAlgorithm(offered);
            if (algorithm == 0)
            {
                // RFC 8489 §9.2.5: none supported, so the request must not be retried.
                return false;
            }

            algorithms = offered.ToArray();
        }

        string realmText = Encoding.UTF8.GetString(realm);
        Key = algorithm == AlgorithmSha256
            ? StunIntegrity.LongTermKeySha256(_username, realmText, _password)
            : StunIntegrity.LongTermKey(_username, realmText, _password);
        Realm = realm;
        Nonce = nonce.ToArray();
        PasswordAlgorithms = algorithms;
        Algorithm = algorithm;
        return true;
    }

    /// <summary>
    /// The first algorithm of a PASSWORD-ALGORITHMS value this client supports (RFC 8489 §9.2.5:
    /// "the first algorithm supported on the list"), or 0 when none is or the value is malformed.
    /// </summary>
    public static ushort ChooseAlgorithm(ReadOnlySpan<byte> passwordAlgorithms)
    {
        // RFC 8489 §14.11: a list of (algorithm u16, parameters length u16, parameters padded to 4).
        ushort chosen = 0;
        int offset = 0;
        while (offset < passwordAlgorithms.Length)
        {
            if (passwordAlgorithms.Length - offset < 4)
            {
                return 0;
            }

            ushort algorithm = BinaryPrimitives.ReadUInt16BigEndian(passwordAlgorithms[offset..]);
            int parametersLength = BinaryPrimitives.ReadUInt16BigEndian(passwordAlgorithms[(offset + 2)..]);
            int padded = (parametersLength + 3) & ~3;
            if (padded > passwordAlgorithms.Length - offset - 4)
            {
                return 0;
            }

            if (chosen == 0 && algorithm is AlgorithmMd5 or AlgorithmSha256)
            {
                chosen = algorithm;
            }

            offset += 4 + padded;
        }

        return chosen;
    }

    /// <summary>True when a challenge's NONCE (and REALM, when present) differ from the ones in use.</summary>
    public bool IsNewChallenge(in StunReader response)
    {
        if (!response.TryGetAttribute(StunAttributeType.Nonce, out var nonce) || Nonce is null || !nonce.SequenceEqual(Nonce))
        {
            return true;
        }

        return response.TryGetAttribute(StunAttributeType.Realm, out var realm) && (Realm is null || !realm.SequenceEqual(Realm));
    }

    /// <summary>
    /// Writes USERNAME, NONCE, REALM and, when negotiated, PASSWORD-ALGORITHMS and PASSWORD-ALGORITHM
    /// (RFC 8489 §9.2.5). Nothing before the first challenge.
    /// </summary>
    public void AddAttributes(ref StunWriter writer)
    {
        if (Key is null)
        {
            return;
        }

        writer.AddString(StunAttributeType.Username, _username);
        writer.AddAttribute(StunAttributeType.Nonce, Nonce);
        writer.AddAttribute(StunAttributeType.Realm, Realm);
        if (PasswordAlgorithms is not null)
        {
            writer.AddAttribute(StunAttributeType.PasswordAlgorithms, PasswordAlgorithms);
            // RFC 8489 §14.12: the algorithm and a zero parameters length.
            writer.AddUInt32(StunAttributeType.PasswordAlgorithm, (uint)Algorithm << 16);
        }
    }

    /// <summary>Appends MESSAGE-INTEGRITY, or MESSAGE-INTEGRITY-SHA256 with the SHA-256 algorithm. Nothing before the first challenge.</summary>
    public void Sign(ref StunWriter writer)
    {
        if (Key is null)
        {
            return;
        }

        if (UsesSha256)
        {
            writer.AddMessageIntegritySha256(Key);
        }
        else
        {
            writer.AddMessageIntegrity(Key);
        }
    }

    /// <summary>True when the response carries MESSAGE-INTEGRITY-SHA256 or MESSAGE-INTEGRITY that verifies with <paramref name="key"/>.</summary>
    public static bool Verify(in StunReader response, byte[] key) =>
        (response.HasMessageIntegritySha256 && response.VerifyMessageIntegritySha256(key))
        || (response.HasMessageIntegrity && response.VerifyMessageIntegrity(key));
}
