using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace WebRtc.Client.Dtls;

/// <summary>
/// A certificate fingerprint as SDP's <c>a=fingerprint</c> carries it (RFC 8122): a hash
/// function name and the digest over the DER certificate as uppercase colon-separated hex.
/// </summary>
/// <param name="Algorithm">Lowercase hash function name: <c>sha-1</c>, <c>sha-256</c>, <c>sha-384</c> or <c>sha-512</c>.</param>
/// <param name="Value">The digest as uppercase hex pairs separated by colons (<c>AB:CD:...</c>).</param>
public sealed record RTCDtlsFingerprint(string Algorithm, string Value)
{
    /// <summary>The hash function names this library computes and verifies.</summary>
    public static IReadOnlyList<string> SupportedAlgorithms { get; } = ["sha-1", "sha-256", "sha-384", "sha-512"];

    /// <summary>The SDP attribute value: <c>sha-256 AB:CD:...</c>.</summary>
    public string ToSdpValue() => Algorithm + " " + Value;

    /// <inheritdoc />
    public override string ToString() => ToSdpValue();

    /// <summary>
    /// Parses an <c>a=fingerprint</c> value (<c>sha-256 AB:CD:...</c>, with or without the
    /// <c>fingerprint:</c> prefix). Hex case and the algorithm name's case are normalized.
    /// </summary>
    /// <returns>False when the value is malformed, the algorithm is unknown or the digest length is wrong.</returns>
    public static bool TryParse(string? sdpValue, out RTCDtlsFingerprint? fingerprint)
    {
        fingerprint = null;
        if (string.IsNullOrWhiteSpace(sdpValue))
        {
            return false;
        }

        var text = sdpValue.Trim();
        if (text.StartsWith("fingerprint:", StringComparison.OrdinalIgnoreCase))
        {
            text = text["fingerprint:".Length..];
        }

        var space = text.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0)
        {
            return false;
        }

        var algorithm = text[..space].ToLowerInvariant();
        var hex = text[(space + 1)..].Trim();
        var length = DigestLength(algorithm);
        if (length == 0 || hex.Length != (length * 3) - 1)
        {
            return false;
        }

        var builder = new StringBuilder(hex.Length);
        for (var i = 0; i < length; i++)
        {
            var pair = hex.AsSpan(i * 3, 2);
            if (!byte.TryParse(pair, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _)
                || (i < length - 1 && hex[(i * 3) + 2] != ':'))
            {
                return false;
            }

            if (i > 0)
            {
                builder.Append(':');
            }

            builder.Append(char.ToUpperInvariant(pair[0])).Append(char.ToUpperInvariant(pair[1]));
        }

        fingerprint = new RTCDtlsFingerprint(algorithm, builder.ToString());
        return true;
    }

    /// <summary>Computes the fingerprint of a DER certificate with the named hash function.</summary>
    /// <exception cref="ArgumentException">The algorithm is not one of <see cref="SupportedAlgorithms"/>.</exception>
    public static RTCDtlsFingerprint Compute(string algorithm, ReadOnlySpan<byte> derCertificate)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        var name = algorithm.ToLowerInvariant();
        return new RTCDtlsFingerprint(name, FormatHex(Hash(name, derCertificate)));
    }

    /// <summary>
    /// True when this fingerprint is the digest of <paramref name="derCertificate"/>; the digest
    /// comparison is constant-time so a probing peer learns nothing from timing.
    /// </summary>
    public bool Matches(ReadOnlySpan<byte> derCertificate)
    {
        var name = Algorithm.ToLowerInvariant();
        if (DigestLength(name) == 0 || !TryParseHex(Value, out var expected))
        {
            return false;
        }

        var actual = Hash(name, derCertificate);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    internal static int DigestLength(string algorithm) => algorithm switch
    {
        "sha-1" => 20,
        "sha-256" => 32,
        "sha-384" => 48,
        "sha-512" => 64,
        _ => 0,
    };

    private static byte[] Hash(string algorithm, ReadOnlySpan<byte> data) => algorithm switch
    {
        "sha-1" => SHA1.HashData(data),
        "sha-256" => SHA256.HashData(data),
        "sha-384" => SHA384.HashData(data),
        "sha-512" => SHA512.HashData(data),
        _ => throw new ArgumentException($"Unsupported fingerprint algorithm '{algorithm}'; use one of {string.Join(", ", SupportedAlgorithms)}.", nameof(algorithm)),
    };

    private static string FormatHex(byte[] digest) => Convert.ToHexString(digest)
        .Chunk(2).Select(pair => new string(pair)).Aggregate((a, b) => a + ":" + b);

    private static bool TryParseHex(string value, out byte[] bytes)
    {
        try
        {
            bytes = Convert.FromHexString(value.Replace(":", string.Empty, StringComparison.Ordinal));
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }
}
