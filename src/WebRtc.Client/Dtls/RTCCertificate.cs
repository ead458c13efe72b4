using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace WebRtc.Client.Dtls;

/// <summary>The key type of a generated <see cref="RTCCertificate"/>.</summary>
public enum RTCCertificateKeyType
{
    /// <summary>ECDSA on P-256 with SHA-256: what browsers generate by default; small and fast.</summary>
    EcdsaP256,

    /// <summary>RSA 2048 bits with SHA-256 (PKCS#1 v1.5 signatures).</summary>
    Rsa2048,
}

/// <summary>
/// A self-signed certificate and its private key that identify this endpoint in the DTLS
/// handshake; peers pin it by the fingerprint carried in SDP (W3C <c>RTCCertificate</c>).
/// </summary>
public sealed class RTCCertificate
{
    private readonly byte[] _der;

    private RTCCertificate(X509Certificate certificate, AsymmetricKeyParameter privateKey)
    {
        BcCertificate = certificate;
        PrivateKey = privateKey;
        _der = certificate.GetEncoded();
        Expires = new DateTimeOffset(DateTime.SpecifyKind(certificate.NotAfter, DateTimeKind.Utc));
        KeyType = privateKey is RsaKeyParameters ? RTCCertificateKeyType.Rsa2048 : RTCCertificateKeyType.EcdsaP256;
    }

    /// <summary>When the certificate stops being valid.</summary>
    public DateTimeOffset Expires { get; }

    /// <summary>The key type (RSA keys of any size report <see cref="RTCCertificateKeyType.Rsa2048"/>).</summary>
    public RTCCertificateKeyType KeyType { get; }

    /// <summary>The DER encoding of the certificate.</summary>
    public ReadOnlyMemory<byte> DerCertificate => _der;

    internal X509Certificate BcCertificate { get; }

    internal AsymmetricKeyParameter PrivateKey { get; }

    /// <summary>
    /// Generates a fresh self-signed certificate (subject CN=WebRTC, random 64-bit serial,
    /// valid from one day ago so peers with a skewed clock accept it).
    /// </summary>
    /// <param name="keyType">ECDSA P-256 (default) or RSA 2048.</param>
    /// <param name="lifetime">Validity from now; 30 days when null.</param>
    public static RTCCertificate Generate(RTCCertificateKeyType keyType = RTCCertificateKeyType.EcdsaP256, TimeSpan? lifetime = null)
    {
        var span = lifetime ?? TimeSpan.FromDays(30);
        if (span <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), "The lifetime must be positive.");
        }

        var random = new SecureRandom();
        AsymmetricCipherKeyPair pair;
        string signatureAlgorithm;
        if (keyType == RTCCertificateKeyType.Rsa2048)
        {
            var generator = new RsaKeyPairGenerator();
            generator.Init(new RsaKeyGenerationParameters(BigInteger.ValueOf(65537), random, 2048, 100));
            pair = generator.GenerateKeyPair();
            signatureAlgorithm = "SHA256WITHRSA";
        }
        else
        {
            var generator = new ECKeyPairGenerator();
            generator.Init(new ECKeyGenerationParameters(SecObjectIdentifiers.SecP256r1, random));
            pair = generator.GenerateKeyPair();
            signatureAlgorithm = "SHA256WITHECDSA";
        }

        // A positive random serial: the high bit cleared keeps the DER INTEGER from reading as negative.
        var serialBytes = new byte[8];
        RandomNumberGenerator.Fill(serialBytes);
        serialBytes[0] &= 0x7F;
        serialBytes[0] |= 0x01;

        var now = DateTime.UtcNow;
        var name = new X509Name("CN=WebRTC");
        var builder = new X509V3CertificateGenerator();
        builder.SetSerialNumber(new BigInteger(1, serialBytes));
        builder.SetIssuerDN(name);
        builder.SetSubjectDN(name);
        builder.SetNotBefore(now.AddDays(-1));
        builder.SetNotAfter(now.Add(span));
        builder.SetPublicKey(pair.Public);
        var certificate = builder.Generate(new Asn1SignatureFactory(signatureAlgorithm, pair.Private, random));
        return new RTCCertificate(certificate, pair.Private);
    }

    /// <summary>The fingerprints to put in SDP: sha-256, the one every browser uses.</summary>
    public IReadOnlyList<RTCDtlsFingerprint> GetFingerprints() => [GetFingerprint("sha-256")];

    /// <summary>The fingerprint with the named hash function (sha-1, sha-256, sha-384 or sha-512).</summary>
    /// <exception cref="ArgumentException">The algorithm is not supported.</exception>
    public RTCDtlsFingerprint GetFingerprint(string algorithm) => RTCDtlsFingerprint.Compute(algorithm, _der);

    /// <summary>
    /// Exports the certificate and its private key (PKCS#8, unencrypted) as PEM, so a server
    /// can keep a stable identity across restarts. Store it like any other secret.
    /// </summary>
    public string ExportPem()
    {
        var key = PrivateKeyInfoFactory.CreatePrivateKeyInfo(PrivateKey).GetEncoded();
        var text = new StringBuilder();
        text.Append(PemEncoding.WriteString("CERTIFICATE", _der)).Append('\n');
        text.Append(PemEncoding.WriteString("PRIVATE KEY", key)).Append('\n');
        CryptographicOperations.ZeroMemory(key);
        return text.ToString();
    }

    /// <summary>Loads a certificate and PKCS#8 private key written by <see cref="ExportPem"/>.</summary>
    /// <exception cref="FormatException">The PEM lacks a CERTIFICATE or PRIVATE KEY block, or they do not belong together.</exception>
    public static RTCCertificate FromPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        byte[]? der = null;
        byte[]? key = null;
        var rest = pem.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            var label = rest[fields.Label];
            var data = Convert.FromBase64String(rest[fields.Base64Data].ToString());
            if (label.SequenceEqual("CERTIFICATE"))
            {
                der ??= data;
            }
            else if (label.SequenceEqual("PRIVATE KEY"))
            {
                key ??= data;
            }

            rest = rest[fields.Location.End..];
        }

        if (der is null || key is null)
        {
            throw new FormatException("The PEM needs a CERTIFICATE block and an unencrypted PKCS#8 PRIVATE KEY block.");
        }

        X509Certificate certificate;
        AsymmetricKeyParameter privateKey;
        try
        {
            certificate = new X509CertificateParser().ReadCertificate(der)
                ?? throw new FormatException("The CERTIFICATE block holds no certificate.");
            privateKey = PrivateKeyFactory.CreateKey(key);
        }
        catch (Exception ex) when (ex is not FormatException)
        {
            throw new FormatException("The PEM certificate or private key could not be decoded: " + ex.Message, ex);
        }

        if (!KeyMatches(certificate.GetPublicKey(), privateKey))
        {
            throw new FormatException("The private key does not belong to the certificate.");
        }

        return new RTCCertificate(certificate, privateKey);
    }

    private static bool KeyMatches(AsymmetricKeyParameter publicKey, AsymmetricKeyParameter privateKey) => (publicKey, privateKey) switch
    {
        (RsaKeyParameters pub, RsaPrivateCrtKeyParameters priv) => pub.Modulus.Equals(priv.Modulus),
        (ECPublicKeyParameters pub, ECPrivateKeyParameters priv) => pub.Q.Equals(priv.Parameters.G.Multiply(priv.D).Normalize()),
        _ => false,
    };
}
