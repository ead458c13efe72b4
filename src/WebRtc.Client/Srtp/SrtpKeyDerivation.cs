namespace WebRtc.Client.Srtp;

/// <summary>RFC 3711 §4.3 key derivation with the AES-CM PRF, key derivation rate 0 (also RFC 7714 §11).</summary>
internal static class SrtpKeyDerivation
{
    /// <summary>SRTP encryption key label.</summary>
    public const byte RtpEncryption = 0x00;

    /// <summary>SRTP authentication key label.</summary>
    public const byte RtpAuthentication = 0x01;

    /// <summary>SRTP salting key label.</summary>
    public const byte RtpSalt = 0x02;

    /// <summary>SRTCP encryption key label.</summary>
    public const byte RtcpEncryption = 0x03;

    /// <summary>SRTCP authentication key label.</summary>
    public const byte RtcpAuthentication = 0x04;

    /// <summary>SRTCP salting key label.</summary>
    public const byte RtcpSalt = 0x05;

    /// <summary>
    /// Writes PRF(master key, (label || r) XOR master salt) into <paramref name="output"/>.
    /// A 12-byte GCM master salt is left-aligned in the 112-bit x, as libsrtp does.
    /// </summary>
    public static void Derive(AesCtr prf, ReadOnlySpan<byte> masterSalt, byte label, Span<byte> output)
    {
        Span<byte> iv = stackalloc byte[16];
        iv.Clear();
        masterSalt.Slice(0, Math.Min(14, masterSalt.Length)).CopyTo(iv);

        // key_id = label || index DIV kdr, with kdr 0 meaning r = 0: only the label byte (x[7]) changes.
        iv[7] ^= label;
        output.Clear();
        prf.Transform(iv, output);
    }
}
