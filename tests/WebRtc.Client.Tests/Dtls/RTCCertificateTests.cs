using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using WebRtc.Client.Dtls;

namespace WebRtc.Client.Tests.Dtls;

public class RTCCertificateTests
{
    [TestCase(RTCCertificateKeyType.EcdsaP256)]
    [TestCase(RTCCertificateKeyType.Rsa2048)]
    public void Generate_SelfSigned_CnWebRtc_30Days(RTCCertificateKeyType keyType)
    {
        var cert = RTCCertificate.Generate(keyType);
        using var x509 = X509CertificateLoader.LoadCertificate(cert.DerCertificate.Span);
        Assert.That(x509.Subject, Is.EqualTo("CN=WebRTC"));
        Assert.That(x509.Issuer, Is.EqualTo("CN=WebRTC"));
        Assert.That(cert.KeyType, Is.EqualTo(keyType));
        Assert.That(cert.Expires, Is.EqualTo(DateTimeOffset.UtcNow.AddDays(30)).Within(TimeSpan.FromMinutes(1)));
        Assert.That(x509.GetKeyAlgorithm(), Is.EqualTo(keyType == RTCCertificateKeyType.Rsa2048 ? "1.2.840.113549.1.1.1" : "1.2.840.10045.2.1"));
        if (keyType == RTCCertificateKeyType.Rsa2048)
        {
            using var rsa = x509.GetRSAPublicKey();
            Assert.That(rsa!.KeySize, Is.EqualTo(2048));
        }
        else
        {
            using var ec = x509.GetECDsaPublicKey();
            Assert.That(ec!.KeySize, Is.EqualTo(256));
        }
    }

    [Test]
    public void Generate_CustomLifetime_And_RandomSerials()
    {
        var a = RTCCertificate.Generate(lifetime: TimeSpan.FromHours(2));
        var b = RTCCertificate.Generate();
        Assert.That(a.Expires, Is.EqualTo(DateTimeOffset.UtcNow.AddHours(2)).Within(TimeSpan.FromMinutes(1)));
        using var xa = X509CertificateLoader.LoadCertificate(a.DerCertificate.Span);
        using var xb = X509CertificateLoader.LoadCertificate(b.DerCertificate.Span);
        Assert.That(xa.SerialNumber, Is.Not.EqualTo(xb.SerialNumber));
        Assert.Throws<ArgumentOutOfRangeException>(() => RTCCertificate.Generate(lifetime: TimeSpan.Zero));
    }

    [TestCase("sha-1", 20)]
    [TestCase("sha-256", 32)]
    [TestCase("sha-384", 48)]
    [TestCase("SHA-512", 64)]
    public void GetFingerprint_MatchesDotNetHash(string algorithm, int length)
    {
        var cert = RTCCertificate.Generate();
        var fp = cert.GetFingerprint(algorithm);
        using var x509 = X509CertificateLoader.LoadCertificate(cert.DerCertificate.Span);
        var name = new HashAlgorithmName(algorithm.ToUpperInvariant().Replace("-", string.Empty, StringComparison.Ordinal));
        var expected = Convert.ToHexString(x509.GetCertHash(name));
        Assert.That(fp.Algorithm, Is.EqualTo(algorithm.ToLowerInvariant()));
        Assert.That(fp.Value.Replace(":", string.Empty, StringComparison.Ordinal), Is.EqualTo(expected));
        Assert.That(fp.Value, Has.Length.EqualTo((length * 3) - 1));
        Assert.That(fp.Value, Does.Match("^([0-9A-F]{2}:)*[0-9A-F]{2}$"));
        Assert.That(fp.Matches(cert.DerCertificate.Span), Is.True);
    }

    [Test]
    public void GetFingerprints_DefaultsToSha256_UnknownThrows()
    {
        var cert = RTCCertificate.Generate();
        Assert.That(cert.GetFingerprints().Select(f => f.Algorithm), Is.EqualTo(new[] { "sha-256" }));
        Assert.Throws<ArgumentException>(() => cert.GetFingerprint("md5"));
    }

    [Test]
    public void Fingerprint_SdpRoundTrip_AndTryParse()
    {
        var fp = RTCCertificate.Generate().GetFingerprint("sha-256");
        var sdp = fp.ToSdpValue();
        Assert.That(sdp, Does.StartWith("sha-256 "));
        Assert.That(RTCDtlsFingerprint.TryParse(sdp, out var parsed), Is.True);
        Assert.That(parsed, Is.EqualTo(fp));
        Assert.That(RTCDtlsFingerprint.TryParse("fingerprint:SHA-256 " + fp.Value.ToLowerInvariant(), out var lower), Is.True);
        Assert.That(lower, Is.EqualTo(fp));

        string?[] bad =
        [
            null, string.Empty, "sha-256", "md5 AB:CD", "sha-256 AB:CD", "sha-1 " + fp.Value,
            "sha-256 " + fp.Value.Replace(':', '-'), "sha-256 " + fp.Value[..^2] + "ZZ",
        ];
        foreach (var text in bad)
        {
            Assert.That(RTCDtlsFingerprint.TryParse(text, out var none), Is.False, text);
            Assert.That(none, Is.Null);
        }
    }

    [Test]
    public void Fingerprint_DoesNotMatchOtherCertificate()
    {
        var a = RTCCertificate.Generate();
        var b = RTCCertificate.Generate();
        Assert.That(a.GetFingerprint("sha-256").Matches(b.DerCertificate.Span), Is.False);
        Assert.That(new RTCDtlsFingerprint("sha-256", "nothex").Matches(a.DerCertificate.Span), Is.False);
    }

    [TestCase(RTCCertificateKeyType.EcdsaP256)]
    [TestCase(RTCCertificateKeyType.Rsa2048)]
    public void Pem_RoundTrip_KeepsIdentity(RTCCertificateKeyType keyType)
    {
        var cert = RTCCertificate.Generate(keyType);
        var pem = cert.ExportPem();
        Assert.That(pem, Does.Contain("-----BEGIN CERTIFICATE-----"));
        Assert.That(pem, Does.Contain("-----BEGIN PRIVATE KEY-----"));
        var loaded = RTCCertificate.FromPem(pem);
        Assert.That(loaded.GetFingerprints(), Is.EqualTo(cert.GetFingerprints()));
        Assert.That(loaded.Expires, Is.EqualTo(cert.Expires));
        Assert.That(loaded.KeyType, Is.EqualTo(keyType));

        // .NET reads the same PEM: the key really is PKCS#8 and belongs to the certificate.
        using var x509 = X509Certificate2.CreateFromPem(pem, pem);
        Assert.That(x509.HasPrivateKey, Is.True);
    }

    [Test]
    public void FromPem_RejectsIncompleteOrMismatched()
    {
        var a = RTCCertificate.Generate().ExportPem();
        var b = RTCCertificate.Generate().ExportPem();
        var certOnly = a[..(a.IndexOf("-----END CERTIFICATE-----", StringComparison.Ordinal) + 25)];
        var keyOfB = b[b.IndexOf("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal)..];
        Assert.Throws<FormatException>(() => RTCCertificate.FromPem(certOnly));
        Assert.Throws<FormatException>(() => RTCCertificate.FromPem(string.Empty));
        Assert.Throws<FormatException>(() => RTCCertificate.FromPem(certOnly + "\n" + keyOfB));
    }
}
