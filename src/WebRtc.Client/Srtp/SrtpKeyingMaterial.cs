namespace WebRtc.Client.Srtp;

/// <summary>
/// Master keys and salts of both directions, split from the DTLS exporter output
/// ("EXTRACTOR-dtls_srtp", RFC 5764 §4.2): client_write_key, server_write_key,
/// client_write_salt, server_write_salt.
/// </summary>
public sealed class SrtpKeyingMaterial
{
    private SrtpKeyingMaterial(SrtpProfile profile, byte[] localKey, byte[] localSalt, byte[] remoteKey, byte[] remoteSalt)
    {
        Profile = profile;
        LocalMasterKey = localKey;
        LocalMasterSalt = localSalt;
        RemoteMasterKey = remoteKey;
        RemoteMasterSalt = remoteSalt;
    }

    /// <summary>The negotiated protection profile.</summary>
    public SrtpProfile Profile { get; }

    /// <summary>Master key for what we send.</summary>
    public ReadOnlyMemory<byte> LocalMasterKey { get; }

    /// <summary>Master salt for what we send.</summary>
    public ReadOnlyMemory<byte> LocalMasterSalt { get; }

    /// <summary>Master key for what the peer sends.</summary>
    public ReadOnlyMemory<byte> RemoteMasterKey { get; }

    /// <summary>Master salt for what the peer sends.</summary>
    public ReadOnlyMemory<byte> RemoteMasterSalt { get; }

    /// <summary>Bytes to export from DTLS for <paramref name="profile"/>: 2 × (key + salt).</summary>
    /// <param name="profile">The negotiated profile.</param>
    /// <returns>60 for the AES-CM profiles, 56 for AES-128-GCM, 88 for AES-256-GCM.</returns>
    public static int GetExportLength(SrtpProfile profile) => 2 * (profile.GetKeyLength() + profile.GetSaltLength());

    /// <summary>Splits exported keying material into local and remote master key and salt.</summary>
    /// <param name="profile">The negotiated profile.</param>
    /// <param name="exported">The exporter output, exactly <see cref="GetExportLength"/> bytes.</param>
    /// <param name="isDtlsClient">Whether this endpoint is the DTLS client (client_write_* is then local).</param>
    /// <returns>The split material.</returns>
    /// <exception cref="ArgumentException">The length does not match the profile.</exception>
    public static SrtpKeyingMaterial Split(SrtpProfile profile, ReadOnlySpan<byte> exported, bool isDtlsClient)
    {
        int keyLength = profile.GetKeyLength();
        int saltLength = profile.GetSaltLength();
        if (exported.Length != GetExportLength(profile))
        {
            throw new ArgumentException(
                $"{profile} needs {GetExportLength(profile)} bytes of keying material, got {exported.Length}.", nameof(exported));
        }

        byte[] clientKey = exported.Slice(0, keyLength).ToArray();
        byte[] serverKey = exported.Slice(keyLength, keyLength).ToArray();
        byte[] clientSalt = exported.Slice(2 * keyLength, saltLength).ToArray();
        byte[] serverSalt = exported.Slice((2 * keyLength) + saltLength, saltLength).ToArray();
        return isDtlsClient
            ? new SrtpKeyingMaterial(profile, clientKey, clientSalt, serverKey, serverSalt)
            : new SrtpKeyingMaterial(profile, serverKey, serverSalt, clientKey, clientSalt);
    }

    /// <summary>Creates the context that protects what we send.</summary>
    /// <returns>A new outbound context; the caller disposes it.</returns>
    public SrtpContext CreateLocalContext() => new(Profile, LocalMasterKey.Span, LocalMasterSalt.Span);

    /// <summary>Creates the context that unprotects what the peer sends.</summary>
    /// <returns>A new inbound context; the caller disposes it.</returns>
    public SrtpContext CreateRemoteContext() => new(Profile, RemoteMasterKey.Span, RemoteMasterSalt.Span);
}
