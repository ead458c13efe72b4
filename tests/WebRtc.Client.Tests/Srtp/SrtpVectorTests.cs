using WebRtc.Client.Srtp;

namespace WebRtc.Client.Tests.Srtp;

public class SrtpVectorTests
{
    private static byte[] Hex(string s) => Convert.FromHexString(s.Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal));

    private const string GcmKey128 = "000102030405060708090a0b0c0d0e0f";
    private const string GcmKey256 = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private const string GcmSalt = "517569642070726f2071756f";
    private const string RtpPlain = "8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e69732064697669736120696e207061727465732074726573";
    private const string RtcpPlain = "81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef";

    private static SrtpContext Gcm(SrtpProfile profile, string key) =>
        SrtpContext.CreateFromSessionKeys(profile, Hex(key), Hex(GcmSalt), [], Hex(key), Hex(GcmSalt), []);

    [TestCase(false)]
    [TestCase(true)]
    public void AesCm_keystream_matches(bool software)
    {
        // RFC 3711 Appendix B.2: AES-CM keystream segment, session key 2B7E..., IV F0F1...FD0000.
        using var ctr = new AesCtr(Hex("2B7E151628AED2A6ABF7158809CF4F3C"), software);
        byte[] iv = Hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000");
        byte[] stream = new byte[0xFF02 * 16];
        ctr.Transform(iv, stream);
        Assert.That(Convert.ToHexString(stream.AsSpan(0, 48)), Is.EqualTo("E03EAD0935C95E80E166B16DD92B4EB4D23513162B02D0F72A43A2FE4A5F97AB41E95B3BB0A2E8DD477901E4FCA894C0"));
        Assert.That(Convert.ToHexString(stream.AsSpan(0xFEFF * 16, 48)), Is.EqualTo("EC8CDF7398607CB0F2D21675EA9EA1E4362B7C3C6773516318A077D7FC5073AE6A2CC3787889374FBEB4C81B17BA6C44"));
    }

    [Test]
    public void AesCm_odd_lengths_match_the_software_path()
    {
        // RFC 3711 §4.1.1: the keystream is the same whatever the payload length.
        byte[] key = Hex("2B7E151628AED2A6ABF7158809CF4F3C");
        using var hw = new AesCtr(key);
        using var sw = new AesCtr(key, forceSoftware: true);
        byte[] iv = Hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000");
        for (int n = 0; n < 300; n++)
        {
            byte[] a = new byte[n];
            byte[] b = new byte[n];
            hw.Transform(iv, a);
            sw.Transform(iv, b);
            Assert.That(a, Is.EqualTo(b), $"length {n}");
        }
    }

    [Test]
    public void Key_derivation_matches()
    {
        // RFC 3711 Appendix B.3: key derivation test vectors (cipher key, cipher salt, auth key).
        var keys = SrtpContext.DeriveSessionKeys(SrtpProfile.AesCm128HmacSha1_80, Hex("E1F97A0D3E018BE0D64FA32C06DE4139"), Hex("0EC675AD498AFEEBB6960B3AABE6"));
        Assert.That(Convert.ToHexString(keys.RtpKey), Is.EqualTo("C61E7A93744F39EE10734AFE3FF7A087"));
        Assert.That(Convert.ToHexString(keys.RtpSalt), Is.EqualTo("30CBBC08863D8C85D49DB34A9AE1"));
        Assert.That(Convert.ToHexString(keys.RtpAuthKey), Is.EqualTo("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"));
    }

    [Test]
    public void Gcm_master_salt_derivation_matches_libsrtp()
    {
        // RFC 7714 §11: AES-CM KDF with the 96-bit master salt (libsrtp's GCM test key, values as libsrtp derives them).
        var keys = SrtpContext.DeriveSessionKeys(SrtpProfile.AeadAes128Gcm, Hex(GcmKey128), Hex("a0a1a2a3a4a5a6a7a8a9aaab"));
        Assert.That(Convert.ToHexString(keys.RtpKey), Is.EqualTo("077C6143CB221BC355FF23D5F984A16E"));
        Assert.That(Convert.ToHexString(keys.RtpSalt), Is.EqualTo("9AF3E95364EBAC9C99C5A7C4"));
        Assert.That(Convert.ToHexString(keys.RtcpKey), Is.EqualTo("615DCD9042600666F6FD4D9E4FE4519F"));
        Assert.That(Convert.ToHexString(keys.RtcpSalt), Is.EqualTo("FCCA937B9112A500DAC72269"));
    }

    [Test]
    public void AesCm_sha1_80_packet_matches_libsrtp()
    {
        // RFC 3711 §3.1/§4: full SRTP packet through the B.3 master key (libsrtp srtp_validate known answer).
        byte[] plain = Hex("800f1234decafbadcafebabeabababababababababababababababab");
        byte[] expected = Hex("800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb");
        using var tx = new SrtpContext(SrtpProfile.AesCm128HmacSha1_80, Hex("E1F97A0D3E018BE0D64FA32C06DE4139"), Hex("0EC675AD498AFEEBB6960B3AABE6"));
        using var rx = new SrtpContext(SrtpProfile.AesCm128HmacSha1_80, Hex("E1F97A0D3E018BE0D64FA32C06DE4139"), Hex("0EC675AD498AFEEBB6960B3AABE6"));
        byte[] buffer = new byte[64];
        plain.CopyTo(buffer, 0);
        Assert.That(tx.TryProtectRtp(buffer, plain.Length, out int n), Is.True);
        Assert.That(buffer.AsSpan(0, n).ToArray(), Is.EqualTo(expected));
        Assert.That(rx.TryUnprotectRtp(buffer, n, out int m), Is.True);
        Assert.That(buffer.AsSpan(0, m).ToArray(), Is.EqualTo(plain));
    }

    [TestCase(SrtpProfile.AeadAes128Gcm, GcmKey128, "8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de3adf8833899d7f27beb16a9152cf765ee4390cce")]
    [TestCase(SrtpProfile.AeadAes256Gcm, GcmKey256, "8040f17b8041f8d35501a0b232b1de78a822fe12ef9f78fa332e33aab18012389a58e2f3b50b2a0276ffae0f1ba63799b87b7aa3db36dfffd6b0f9bb7878d7a76c13")]
    public void Gcm_rtp_vectors(SrtpProfile profile, string key, string protectedHex)
    {
        // RFC 7714 §16.1.1/§16.1.2 (AES-128) and §16.2.1/§16.2.2 (AES-256): SRTP encryption and decryption.
        byte[] plain = Hex(RtpPlain);
        byte[] expected = Hex(protectedHex);
        using var tx = Gcm(profile, key);
        using var rx = Gcm(profile, key);
        byte[] buffer = new byte[128];
        plain.CopyTo(buffer, 0);
        Assert.That(tx.TryProtectRtp(buffer, plain.Length, out int n), Is.True);
        Assert.That(buffer.AsSpan(0, n).ToArray(), Is.EqualTo(expected));
        Assert.That(rx.TryUnprotectRtp(buffer, n, out int m), Is.True);
        Assert.That(buffer.AsSpan(0, m).ToArray(), Is.EqualTo(plain));
    }

    [TestCase(SrtpProfile.AeadAes128Gcm, GcmKey128, "81c8000d4d61727363e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d6fda4ce09b4686303ded0bb9275bc84aa45896cf4d2fc5abf87245d9eade800005d4")]
    [TestCase(SrtpProfile.AeadAes256Gcm, GcmKey256, "81c8000d4d617273d50ae4d1f5ce5d304ba297e47d470c282c3ece5dbffe0a50a2eaa5c1110555be8415f658c61de0476f1b6fad1d1eb30c4446839f57ff6f6cb26ac3be800005d4")]
    public void Gcm_rtcp_vectors(SrtpProfile profile, string key, string protectedHex)
    {
        // RFC 7714 §17.1 (AES-128) and §17.2 (AES-256): SRTCP encryption and decryption, index 0x5d4.
        byte[] plain = Hex(RtcpPlain);
        byte[] expected = Hex(protectedHex);
        using var tx = Gcm(profile, key);
        using var rx = Gcm(profile, key);
        tx.SetNextSrtcpIndex(0x4d617273, 0x5d4);
        byte[] buffer = new byte[128];
        plain.CopyTo(buffer, 0);
        Assert.That(tx.TryProtectRtcp(buffer, plain.Length, out int n), Is.True);
        Assert.That(buffer.AsSpan(0, n).ToArray(), Is.EqualTo(expected));
        Assert.That(rx.TryUnprotectRtcp(buffer, n, out int m), Is.True);
        Assert.That(buffer.AsSpan(0, m).ToArray(), Is.EqualTo(plain));
    }

    [TestCase(SrtpProfile.AeadAes128Gcm, GcmKey128, "81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef841dd9683dd78ec92ae58790125f62b3000005d4")]
    [TestCase(SrtpProfile.AeadAes256Gcm, GcmKey256, "81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef91db4afbfeee5a978fab4393ed2615fe000005d4")]
    public void Gcm_rtcp_tag_only_vectors(SrtpProfile profile, string key, string protectedHex)
    {
        // RFC 7714 §17.3/§17.4: SRTCP authenticated but not encrypted (E flag clear).
        byte[] buffer = Hex(protectedHex);
        using var rx = Gcm(profile, key);
        Assert.That(rx.TryUnprotectRtcp(buffer, buffer.Length, out int m, out var error), Is.True, error.ToString());
        Assert.That(buffer.AsSpan(0, m).ToArray(), Is.EqualTo(Hex(RtcpPlain)));
    }

    [Test]
    public void Keying_material_is_split_in_rfc5764_order()
    {
        // RFC 5764 §4.2: client_write_key, server_write_key, client_write_salt, server_write_salt.
        byte[] material = new byte[SrtpKeyingMaterial.GetExportLength(SrtpProfile.AesCm128HmacSha1_80)];
        for (int i = 0; i < material.Length; i++)
        {
            material[i] = (byte)i;
        }

        Assert.That(material, Has.Length.EqualTo(60));
        var client = SrtpKeyingMaterial.Split(SrtpProfile.AesCm128HmacSha1_80, material, isDtlsClient: true);
        var server = SrtpKeyingMaterial.Split(SrtpProfile.AesCm128HmacSha1_80, material, isDtlsClient: false);
        Assert.That(client.LocalMasterKey.ToArray(), Is.EqualTo(material[..16]));
        Assert.That(client.RemoteMasterKey.ToArray(), Is.EqualTo(material[16..32]));
        Assert.That(client.LocalMasterSalt.ToArray(), Is.EqualTo(material[32..46]));
        Assert.That(client.RemoteMasterSalt.ToArray(), Is.EqualTo(material[46..60]));
        Assert.That(server.LocalMasterKey.ToArray(), Is.EqualTo(client.RemoteMasterKey.ToArray()));
        Assert.That(server.RemoteMasterSalt.ToArray(), Is.EqualTo(client.LocalMasterSalt.ToArray()));
        Assert.That(SrtpKeyingMaterial.GetExportLength(SrtpProfile.AeadAes128Gcm), Is.EqualTo(56));
        Assert.That(SrtpKeyingMaterial.GetExportLength(SrtpProfile.AeadAes256Gcm), Is.EqualTo(88));
        Assert.Throws<ArgumentException>(() => SrtpKeyingMaterial.Split(SrtpProfile.AeadAes128Gcm, material, true));

        // A client's local context is the server's remote one.
        using var tx = client.CreateLocalContext();
        using var rx = server.CreateRemoteContext();
        byte[] buffer = new byte[64];
        Hex("800f1234decafbadcafebabeabababab").CopyTo(buffer, 0);
        Assert.That(tx.TryProtectRtp(buffer, 16, out int n), Is.True);
        Assert.That(rx.TryUnprotectRtp(buffer, n, out _), Is.True);
    }

    [Test]
    public void Profile_lengths()
    {
        // RFC 5764 §4.1.2 and RFC 7714 §14.2: profile parameters.
        Assert.That(SrtpProfile.AesCm128HmacSha1_32.GetSrtpAuthTagLength(), Is.EqualTo(4));
        Assert.That(SrtpProfile.AesCm128HmacSha1_32.GetSrtcpAuthTagLength(), Is.EqualTo(10));
        Assert.That(SrtpProfile.AeadAes256Gcm.GetKeyLength(), Is.EqualTo(32));
        Assert.That(SrtpProfile.AeadAes128Gcm.GetSaltLength(), Is.EqualTo(12));
        Assert.That(SrtpProfile.AesCm128HmacSha1_80.GetSaltLength(), Is.EqualTo(14));
        Assert.That((int)SrtpProfile.AeadAes256Gcm, Is.EqualTo(8));
    }

    // RFC 5764 §4.1.2 and RFC 7714 §14.2: registry id, name and exporter length (2 x (key + salt)).
    [TestCase(SrtpProfile.AesCm128HmacSha1_80, 0x0001, "SRTP_AES128_CM_HMAC_SHA1_80", 60)]
    [TestCase(SrtpProfile.AesCm128HmacSha1_32, 0x0002, "SRTP_AES128_CM_HMAC_SHA1_32", 60)]
    [TestCase(SrtpProfile.AeadAes128Gcm, 0x0007, "SRTP_AEAD_AES_128_GCM", 56)]
    [TestCase(SrtpProfile.AeadAes256Gcm, 0x0008, "SRTP_AEAD_AES_256_GCM", 88)]
    public void Profile_registry_id_name_and_export_length(SrtpProfile profile, int id, string name, int exportLength)
    {
        Assert.That((int)profile, Is.EqualTo(id));
        Assert.That(profile.GetRfcName(), Is.EqualTo(name));
        Assert.That(SrtpKeyingMaterial.GetExportLength(profile), Is.EqualTo(exportLength));
    }

    [Test]
    public void Unknown_profile_is_named_by_its_id_and_has_no_lengths()
    {
        var unknown = (SrtpProfile)0x1234;
        Assert.That(unknown.GetRfcName(), Is.EqualTo("0x1234"));
        Assert.That(unknown.IsSupported(), Is.False);
        Assert.Throws<ArgumentOutOfRangeException>(() => SrtpKeyingMaterial.GetExportLength(unknown));
    }

    [Test]
    public void Default_preference_is_gcm_first_then_aes_cm()
    {
        Assert.That(SrtpProfileExtensions.DefaultPreference, Is.EqualTo(new[]
        {
            SrtpProfile.AeadAes128Gcm, SrtpProfile.AeadAes256Gcm, SrtpProfile.AesCm128HmacSha1_80, SrtpProfile.AesCm128HmacSha1_32,
        }));
        Assert.That(SrtpProfileExtensions.DefaultPreference, Is.All.Matches<SrtpProfile>(p => p.IsSupported()));
    }

    [Test]
    public void Wrong_key_lengths_throw()
    {
        // RFC 5764 §4.1.2: key and salt lengths are fixed by the profile.
        Assert.Throws<ArgumentException>(() => new SrtpContext(SrtpProfile.AesCm128HmacSha1_80, new byte[32], new byte[14]));
        Assert.Throws<ArgumentException>(() => new SrtpContext(SrtpProfile.AeadAes256Gcm, new byte[32], new byte[14]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SrtpContext((SrtpProfile)3, new byte[16], new byte[14]));
        var context = new SrtpContext(SrtpProfile.AeadAes128Gcm, new byte[16], new byte[12]);
        context.Dispose();
        Assert.Throws<ObjectDisposedException>(() => context.TryProtectRtp(new byte[64], 20, out _));
    }
}
