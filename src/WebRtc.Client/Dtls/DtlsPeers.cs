using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using WebRtc.Client.Srtp;

namespace WebRtc.Client.Dtls;

/// <summary>What the handshake learned, shared between a BouncyCastle peer and <see cref="DtlsTransport"/>.</summary>
internal sealed class DtlsPeerState(RTCCertificate certificate, RTCDtlsFingerprint expected, IReadOnlyList<SrtpProfile> srtpProfiles, int handshakeTimeoutMillis, int resendMillis, ILogger logger)
{
    // Client order is the preference order: AES-128-GCM first (cheap, and what browsers pick).
    // Every one of them is an AEAD suite with a native record path (DtlsAeadRecordLayer).
    public static readonly int[] DefaultCipherSuites =
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    public RTCCertificate Certificate { get; } = certificate;

    public ILogger Logger { get; } = logger;

    /// <summary>The suites to offer or accept, in preference order.</summary>
    public IReadOnlyList<int> CipherSuites { get; init; } = DefaultCipherSuites;

    /// <summary>Where BouncyCastle's records go; it hands epoch 1 over to the native record layer.</summary>
    public DatagramTransportAdapter? Adapter { get; init; }

    /// <summary>Test hook: adjusts the native record layer (its AEAD limits) once it exists.</summary>
    public Action<DtlsAeadRecordLayer>? ConfigureRecordLayer { get; init; }

    public RTCDtlsFingerprint Expected { get; } = expected;

    public IReadOnlyList<SrtpProfile> SrtpProfiles { get; } = srtpProfiles;

    public int HandshakeTimeoutMillis { get; } = handshakeTimeoutMillis;

    public int ResendMillis { get; } = resendMillis;

    public volatile string? VerificationError;

    public volatile bool CloseNotifyReceived;

    public int? FatalAlertReceived;

    public SrtpProfile? SrtpProfile;

    public byte[]? RemoteCertificateDer;

    /// <summary>The RFC 5764 §4.2 keys split by our role, once a profile was negotiated and the handshake completed.</summary>
    public SrtpKeyingMaterial? SrtpKeys;

    public int? NegotiatedCipherSuite;

    /// <summary>Whether to take application data off BouncyCastle once the handshake is done.</summary>
    public bool UseNativeRecordLayer;

    public DtlsAeadRecordLayer? RecordLayer;

    /// <summary>
    /// BouncyCastle allows exporting only from NotifyHandshakeComplete, so take the SRTP keys then:
    /// "EXTRACTOR-dtls_srtp" with no context (RFC 5764 §4.2), sized for the profile and split by
    /// the role this side played (the client's write key comes first).
    /// </summary>
    public void CaptureKeyingMaterial(TlsContext context)
    {
        NegotiatedCipherSuite = context.SecurityParameters.CipherSuite;
        if (SrtpProfile is { } profile)
        {
            var exported = context.ExportKeyingMaterial(ExporterLabel.dtls_srtp, null, SrtpKeyingMaterial.GetExportLength(profile));
            SrtpKeys = SrtpKeyingMaterial.Split(profile, exported, isDtlsClient: !context.IsServer);
            Array.Clear(exported);
        }

        if (UseNativeRecordLayer && Adapter is { } adapter)
        {
            // BouncyCastle has sent its Finished (and maybe retransmitted it) in epoch 1; ours continue its numbers.
            RecordLayer = adapter.TakeOverEpochOne(first => DtlsAeadRecordLayer.TryCreate(context, first));
            if (RecordLayer is { } layer)
            {
                ConfigureRecordLayer?.Invoke(layer);
                Logger.LogDebug("DTLS: suite 0x{Suite:X4} negotiated; epoch-1 records continue from sequence {Sequence} on the native record layer", layer.CipherSuite, layer.NextSequence);
            }
        }
    }

    /// <summary>Logs an alert this side sends (BouncyCastle raises it): the peer will drop the session on a fatal one.</summary>
    public void NoteAlertRaised(short level, short description, string? message, Exception? cause) =>
        Logger.Log(
            level == AlertLevel.fatal ? LogLevel.Warning : LogLevel.Debug,
            cause,
            "DTLS: sending {Level} alert {Alert}{Detail}",
            AlertLevel.GetText(level),
            AlertDescription.GetText(description),
            message is null ? "" : ": " + message);

    public static bool IsRsa(RTCCertificate certificate) => certificate.KeyType == RTCCertificateKeyType.Rsa2048;

    /// <summary>Checks the peer's end-entity certificate against the SDP fingerprint; throws bad_certificate on mismatch.</summary>
    public void Verify(Certificate? chain, string side)
    {
        if (chain is null || chain.IsEmpty)
        {
            VerificationError = $"DTLS: the remote {side} sent no certificate; WebRTC requires one that matches the SDP fingerprint.";
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }

        var der = chain.GetCertificateAt(0).GetEncoded();
        if (!Expected.Matches(der))
        {
            var actual = SafeFingerprint(Expected.Algorithm, der);
            VerificationError = $"DTLS: the remote {side} certificate does not match the SDP fingerprint (expected {Expected.ToSdpValue()}, got {actual}).";
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }

        RemoteCertificateDer = der;
    }

    public Certificate CreateBcCertificate(TlsCrypto crypto) =>
        new([crypto.CreateCertificate(Certificate.DerCertificate.ToArray())]);

    public TlsCredentialedSigner CreateSigner(BcTlsCrypto crypto, TlsContext context) => new BcDefaultTlsCredentialedSigner(
        new TlsCryptoParameters(context),
        crypto,
        Certificate.PrivateKey,
        CreateBcCertificate(crypto),
        new SignatureAndHashAlgorithm(HashAlgorithm.sha256, IsRsa(Certificate) ? SignatureAlgorithm.rsa : SignatureAlgorithm.ecdsa));

    public void NoteAlert(short level, short description)
    {
        Logger.Log(
            description == AlertDescription.close_notify ? LogLevel.Debug : LogLevel.Warning,
            "DTLS: the peer sent {Level} alert {Alert}",
            AlertLevel.GetText(level),
            AlertDescription.GetText(description));
        if (description == AlertDescription.close_notify)
        {
            CloseNotifyReceived = true;
        }
        else if (level == AlertLevel.fatal)
        {
            FatalAlertReceived = description;
        }
    }

    private static string SafeFingerprint(string algorithm, byte[] der)
    {
        try
        {
            return RTCDtlsFingerprint.Compute(algorithm, der).ToSdpValue();
        }
        catch (ArgumentException)
        {
            return "(unsupported algorithm " + algorithm + ")";
        }
    }
}

/// <summary>The DTLS 1.2 client side of a WebRTC handshake.</summary>
internal sealed class WebRtcTlsClient(BcTlsCrypto crypto, DtlsPeerState state) : DefaultTlsClient(crypto)
{
    public DtlsPeerState State { get; } = state;

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(Crypto, [.. State.CipherSuites]);

    public override bool RequiresExtendedMasterSecret() => true;

    public override int GetHandshakeTimeoutMillis() => State.HandshakeTimeoutMillis;

    public override int GetHandshakeResendTimeMillis() => State.ResendMillis;

    public override IDictionary<int, byte[]> GetClientExtensions()
    {
        var extensions = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetClientExtensions());
        if (State.SrtpProfiles.Count > 0)
        {
            TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData([.. State.SrtpProfiles.Select(p => (int)p)], TlsUtilities.EmptyBytes));
        }

        return extensions;
    }

    public override void ProcessServerExtensions(IDictionary<int, byte[]> serverExtensions)
    {
        base.ProcessServerExtensions(serverExtensions);
        var srtp = TlsSrtpUtilities.GetUseSrtpExtension(serverExtensions);
        if (srtp is not null)
        {
            // RFC 5764 §4.1.3: the server must pick exactly one of the offered profiles.
            if (srtp.ProtectionProfiles.Length != 1 || !State.SrtpProfiles.Contains((SrtpProfile)srtp.ProtectionProfiles[0]))
            {
                throw new TlsFatalAlert(AlertDescription.illegal_parameter);
            }

            State.SrtpProfile = (SrtpProfile)srtp.ProtectionProfiles[0];
        }
    }

    public override TlsAuthentication GetAuthentication() => new Authentication(this);

    public override void NotifyAlertReceived(short alertLevel, short alertDescription) => State.NoteAlert(alertLevel, alertDescription);

    public override void NotifyAlertRaised(short alertLevel, short alertDescription, string message, Exception cause) =>
        State.NoteAlertRaised(alertLevel, alertDescription, message, cause);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        State.CaptureKeyingMaterial(m_context);
    }

    private sealed class Authentication(WebRtcTlsClient owner) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate) =>
            owner.State.Verify(serverCertificate?.Certificate, "server");

        public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest) =>
            owner.State.CreateSigner((BcTlsCrypto)owner.Crypto, owner.m_context);
    }
}

/// <summary>The DTLS 1.2 server side of a WebRTC handshake; it always asks for the client's certificate.</summary>
internal sealed class WebRtcTlsServer(BcTlsCrypto crypto, DtlsPeerState state) : DefaultTlsServer(crypto)
{
    private readonly BcTlsCrypto _crypto = crypto;

    public DtlsPeerState State { get; } = state;

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    // Only the suites our key can sign for: the server has exactly one certificate.
    protected override int[] GetSupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(
        Crypto,
        State.CipherSuites.Where(s => TlsUtilities.GetKeyExchangeAlgorithm(s) ==
            (DtlsPeerState.IsRsa(State.Certificate) ? KeyExchangeAlgorithm.ECDHE_RSA : KeyExchangeAlgorithm.ECDHE_ECDSA)).ToArray());

    public override bool RequiresExtendedMasterSecret() => true;

    public override int GetHandshakeTimeoutMillis() => State.HandshakeTimeoutMillis;

    public override int GetHandshakeResendTimeMillis() => State.ResendMillis;

    public override CertificateRequest GetCertificateRequest() => new(
        [ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign],
        TlsUtilities.GetDefaultSupportedSignatureAlgorithms(m_context),
        null);

    public override void NotifyClientCertificate(Certificate clientCertificate) => State.Verify(clientCertificate, "client");

    protected override TlsCredentialedSigner GetECDsaSignerCredentials() => State.CreateSigner(_crypto, m_context);

    protected override TlsCredentialedSigner GetRsaSignerCredentials() => State.CreateSigner(_crypto, m_context);

    public override void ProcessClientExtensions(IDictionary<int, byte[]> clientExtensions)
    {
        base.ProcessClientExtensions(clientExtensions);
        var srtp = TlsSrtpUtilities.GetUseSrtpExtension(clientExtensions);
        if (srtp is not null)
        {
            // The first profile in the client's order that we also accept.
            foreach (var id in srtp.ProtectionProfiles)
            {
                if (State.SrtpProfiles.Contains((SrtpProfile)id))
                {
                    State.SrtpProfile = (SrtpProfile)id;
                    break;
                }
            }
        }
    }

    public override IDictionary<int, byte[]> GetServerExtensions()
    {
        var extensions = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetServerExtensions());
        if (State.SrtpProfile is { } profile)
        {
            TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData([(int)profile], TlsUtilities.EmptyBytes));
        }

        return extensions;
    }

    public override void NotifyAlertReceived(short alertLevel, short alertDescription) => State.NoteAlert(alertLevel, alertDescription);

    public override void NotifyAlertRaised(short alertLevel, short alertDescription, string message, Exception cause) =>
        State.NoteAlertRaised(alertLevel, alertDescription, message, cause);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        State.CaptureKeyingMaterial(m_context);
    }
}
