using System.Collections;
using WebRtc.Client.DataChannels;
using WebRtc.Client.Dtls;
using WebRtc.Client.Ice;
using WebRtc.Client.Srtp;

namespace WebRtc.Client;

/// <summary>One stats object (W3C RTCStats): an id, a type with the W3C name, a timestamp.</summary>
public abstract class RTCStats
{
    /// <summary>Unique within the report.</summary>
    public required string Id { get; init; }

    /// <summary>The W3C type name ("peer-connection", "transport", "candidate-pair" ...).</summary>
    public abstract string Type { get; }

    /// <summary>When it was taken, in milliseconds since the Unix epoch (W3C DOMHighResTimeStamp).</summary>
    public required double Timestamp { get; init; }
}

/// <summary>W3C RTCPeerConnectionStats.</summary>
public sealed class RTCPeerConnectionStats : RTCStats
{
    /// <inheritdoc/>
    public override string Type => "peer-connection";

    /// <summary>Data channels that reached open.</summary>
    public int DataChannelsOpened { get; init; }

    /// <summary>Data channels that closed.</summary>
    public int DataChannelsClosed { get; init; }
}

/// <summary>W3C RTCTransportStats.</summary>
public sealed class RTCTransportStats : RTCStats
{
    /// <inheritdoc/>
    public override string Type => "transport";

    /// <summary>"new", "connecting", "connected", "closed" or "failed".</summary>
    public required string DtlsState { get; init; }

    /// <summary>"client" or "server" once known, else "unknown".</summary>
    public required string DtlsRole { get; init; }

    /// <summary>The ICE state, W3C-named.</summary>
    public required string IceState { get; init; }

    /// <summary>"controlling" or "controlled".</summary>
    public required string IceRole { get; init; }

    /// <summary>Our ice-ufrag.</summary>
    public required string IceLocalUsernameFragment { get; init; }

    /// <summary>The selected pair's stats id.</summary>
    public string? SelectedCandidatePairId { get; init; }

    /// <summary>Our certificate's stats id.</summary>
    public string? LocalCertificateId { get; init; }

    /// <summary>The peer's certificate's stats id.</summary>
    public string? RemoteCertificateId { get; init; }

    /// <summary>"FEFD" (DTLS 1.2) once connected.</summary>
    public string? TlsVersion { get; init; }

    /// <summary>The IANA name of the negotiated cipher suite.</summary>
    public string? DtlsCipher { get; init; }

    /// <summary>The SRTP protection profile, when one was negotiated.</summary>
    public string? SrtpCipher { get; init; }
}

/// <summary>W3C RTCIceCandidatePairStats.</summary>
public sealed class RTCIceCandidatePairStats : RTCStats
{
    /// <inheritdoc/>
    public override string Type => "candidate-pair";

    /// <summary>The transport's stats id.</summary>
    public required string TransportId { get; init; }

    /// <summary>The local candidate's stats id.</summary>
    public required string LocalCandidateId { get; init; }

    /// <summary>The remote candidate's stats id.</summary>
    public required string RemoteCandidateId { get; init; }

    /// <summary>"frozen", "waiting", "in-progress", "failed" or "succeeded".</summary>
    public required string State { get; init; }

    /// <summary>Whether it is nominated.</summary>
    public bool Nominated { get; init; }

    /// <summary>Latest STUN round trip in seconds.</summary>
    public double? CurrentRoundTripTime { get; init; }

    /// <summary>Sum of STUN round trips in seconds.</summary>
    public double TotalRoundTripTime { get; init; }

    /// <summary>Connectivity/consent requests sent.</summary>
    public int RequestsSent { get; init; }

    /// <summary>Requests received.</summary>
    public int RequestsReceived { get; init; }

    /// <summary>Responses sent.</summary>
    public int ResponsesSent { get; init; }

    /// <summary>Responses received.</summary>
    public int ResponsesReceived { get; init; }
}

/// <summary>W3C RTCIceCandidateStats ("local-candidate" or "remote-candidate").</summary>
public sealed class RTCIceCandidateStats : RTCStats
{
    /// <summary>True for a local candidate.</summary>
    public required bool IsLocal { get; init; }

    /// <inheritdoc/>
    public override string Type => IsLocal ? "local-candidate" : "remote-candidate";

    /// <summary>The transport's stats id.</summary>
    public required string TransportId { get; init; }

    /// <summary>The address.</summary>
    public required string Address { get; init; }

    /// <summary>The port.</summary>
    public required int Port { get; init; }

    /// <summary>"udp" or "tcp".</summary>
    public string Protocol { get; init; } = "udp";

    /// <summary>For TCP candidates: "active", "passive" or "so".</summary>
    public string? TcpType { get; init; }

    /// <summary>For local relay candidates: how the TURN server is reached, "udp", "tcp" or "tls".</summary>
    public string? RelayProtocol { get; init; }

    /// <summary>For local server-reflexive and relay candidates: the STUN/TURN URL.</summary>
    public string? Url { get; init; }

    /// <summary>"host", "srflx", "prflx" or "relay".</summary>
    public required string CandidateType { get; init; }

    /// <summary>The priority.</summary>
    public required uint Priority { get; init; }

    /// <summary>The foundation.</summary>
    public required string Foundation { get; init; }
}

/// <summary>W3C RTCCertificateStats.</summary>
public sealed class RTCCertificateStats : RTCStats
{
    /// <inheritdoc/>
    public override string Type => "certificate";

    /// <summary>Hex fingerprint with colons.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>"sha-256".</summary>
    public required string FingerprintAlgorithm { get; init; }

    /// <summary>The DER certificate, base64.</summary>
    public required string Base64Certificate { get; init; }
}

/// <summary>W3C RTCDataChannelStats.</summary>
public sealed class RTCDataChannelStats : RTCStats
{
    /// <inheritdoc/>
    public override string Type => "data-channel";

    /// <summary>The label.</summary>
    public required string Label { get; init; }

    /// <summary>The protocol.</summary>
    public required string Protocol { get; init; }

    /// <summary>The stream id.</summary>
    public int? DataChannelIdentifier { get; init; }

    /// <summary>"connecting", "open", "closing" or "closed".</summary>
    public required string State { get; init; }

    /// <summary>Messages sent.</summary>
    public long MessagesSent { get; init; }

    /// <summary>Payload bytes sent.</summary>
    public long BytesSent { get; init; }

    /// <summary>Messages received.</summary>
    public long MessagesReceived { get; init; }

    /// <summary>Payload bytes received.</summary>
    public long BytesReceived { get; init; }
}

/// <summary>A stats report (W3C RTCStatsReport): stats objects by id.</summary>
public sealed class RTCStatsReport : IReadOnlyDictionary<string, RTCStats>
{
    private readonly Dictionary<string, RTCStats> _stats;

    internal RTCStatsReport(IEnumerable<RTCStats> stats) => _stats = stats.ToDictionary(s => s.Id);

    /// <inheritdoc/>
    public int Count => _stats.Count;

    /// <inheritdoc/>
    public IEnumerable<string> Keys => _stats.Keys;

    /// <inheritdoc/>
    public IEnumerable<RTCStats> Values => _stats.Values;

    /// <inheritdoc/>
    public RTCStats this[string key] => _stats[key];

    /// <summary>Every stats object of one kind.</summary>
    public IEnumerable<T> OfType<T>()
        where T : RTCStats => _stats.Values.OfType<T>();

    /// <inheritdoc/>
    public bool ContainsKey(string key) => _stats.ContainsKey(key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out RTCStats value) => _stats.TryGetValue(key, out value);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, RTCStats>> GetEnumerator() => _stats.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

public sealed partial class RTCPeerConnection
{
    /// <summary>
    /// The W3C stats (peer-connection, transport, candidate-pair, local-candidate,
    /// remote-candidate, certificate, data-channel) with the W3C field names in .NET casing.
    /// </summary>
    public Task<RTCStatsReport> GetStatsAsync(CancellationToken cancellationToken = default)
    {
        double now = _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var stats = new List<RTCStats>
        {
            new RTCPeerConnectionStats { Id = "P", Timestamp = now, DataChannelsOpened = _channels.ChannelsOpened, DataChannelsClosed = _channels.ChannelsClosed },
        };

        var localFingerprint = _certificate.GetFingerprint("sha-256");
        stats.Add(new RTCCertificateStats
        {
            Id = "CF" + localFingerprint.Value,
            Timestamp = now,
            Fingerprint = localFingerprint.Value,
            FingerprintAlgorithm = localFingerprint.Algorithm,
            Base64Certificate = Convert.ToBase64String(_certificate.DerCertificate.Span),
        });

        string? remoteCertificateId = null;
        if (_dtls is { RemoteCertificate.Length: > 0 } dtls)
        {
            var remoteFingerprint = RTCDtlsFingerprint.Compute("sha-256", dtls.RemoteCertificate.Span);
            remoteCertificateId = "CF" + remoteFingerprint.Value;
            stats.Add(new RTCCertificateStats
            {
                Id = remoteCertificateId,
                Timestamp = now,
                Fingerprint = remoteFingerprint.Value,
                FingerprintAlgorithm = remoteFingerprint.Algorithm,
                Base64Certificate = Convert.ToBase64String(dtls.RemoteCertificate.Span),
            });
        }

        if (_ice is { } ice)
        {
            const string transportId = "T01";
            var selected = ice.SelectedPair;
            var locals = new Dictionary<IceLocalCandidate, string>();
            foreach (var local in ice.GetLocalCandidates())
            {
                string id = "I" + local.Foundation + "L" + local.EndPoint.Port;
                locals[local] = id;
                stats.Add(Candidate(id, true, local.EndPoint, local.Type, local.Priority, local.Foundation, local.Protocol, local.TcpType, local.RelayProtocol, local.Url));
            }

            var remotes = new Dictionary<IceRemoteCandidate, string>();
            foreach (var remote in ice.GetRemoteCandidates())
            {
                string id = "I" + remote.Foundation + "R" + remote.EndPoint.Port;
                remotes[remote] = id;
                stats.Add(Candidate(id, false, remote.EndPoint, remote.Type, remote.Priority, remote.Foundation, remote.Protocol, remote.TcpType, null, null));
            }

            string? selectedId = null;
            foreach (var pair in ice.GetPairs())
            {
                if (!locals.TryGetValue(pair.Local, out var localId) || !remotes.TryGetValue(pair.Remote, out var remoteId))
                {
                    continue;
                }

                string id = "CP" + localId + "_" + remoteId;
                if (ReferenceEquals(pair, selected))
                {
                    selectedId = id;
                }

                stats.Add(new RTCIceCandidatePairStats
                {
                    Id = id,
                    Timestamp = now,
                    TransportId = transportId,
                    LocalCandidateId = localId,
                    RemoteCandidateId = remoteId,
                    State = pair.State switch
                    {
                        IceCandidatePairState.Frozen => "frozen",
                        IceCandidatePairState.Waiting => "waiting",
                        IceCandidatePairState.InProgress => "in-progress",
                        IceCandidatePairState.Failed => "failed",
                        _ => "succeeded",
                    },
                    Nominated = pair.Nominated,
                    CurrentRoundTripTime = pair.CurrentRoundTripTime?.TotalSeconds,
                    TotalRoundTripTime = pair.TotalRoundTripTime.TotalSeconds,
                    RequestsSent = pair.RequestsSent,
                    RequestsReceived = pair.RequestsReceived,
                    ResponsesSent = pair.ResponsesSent,
                    ResponsesReceived = pair.ResponsesReceived,
                });
            }

            var dtlsState = _dtls?.State ?? DtlsTransportState.New;
            stats.Add(new RTCTransportStats
            {
                Id = transportId,
                Timestamp = now,
                DtlsState = dtlsState.ToString().ToLowerInvariant(),
                DtlsRole = _dtlsRole switch { Dtls.DtlsRole.Client => "client", Dtls.DtlsRole.Server => "server", _ => "unknown" },
                IceState = ice.State.ToString().ToLowerInvariant(),
                IceRole = ice.Role == RTCIceRole.Controlling ? "controlling" : "controlled",
                IceLocalUsernameFragment = _localCredentials.Ufrag,
                SelectedCandidatePairId = selectedId,
                LocalCertificateId = "CF" + localFingerprint.Value,
                RemoteCertificateId = remoteCertificateId,
                TlsVersion = dtlsState == DtlsTransportState.Connected ? "FEFD" : null,
                DtlsCipher = _dtls?.CipherSuite is { } suite ? CipherName(suite) : null,
                SrtpCipher = _dtls?.SrtpProfile?.GetRfcName(),
            });
        }

        foreach (var channel in _channels.Channels)
        {
            stats.Add(new RTCDataChannelStats
            {
                Id = "D" + (channel.Id?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-" + channel.Label),
                Timestamp = now,
                Label = channel.Label,
                Protocol = channel.Protocol,
                DataChannelIdentifier = channel.Id,
                State = channel.ReadyState.ToString().ToLowerInvariant(),
                MessagesSent = channel.MessagesSent,
                BytesSent = channel.BytesSent,
                MessagesReceived = channel.MessagesReceived,
                BytesReceived = channel.BytesReceived,
            });
        }

        AddMediaStats(stats, now, null, null);
        return Task.FromResult(new RTCStatsReport(stats));

        RTCIceCandidateStats Candidate(string id, bool local, IPEndPointLike endPoint, RTCIceCandidateType type, uint priority, string foundation,
            RTCIceProtocol protocol, RTCIceTcpCandidateType? tcpType, RTCIceServerTransportProtocol? relayProtocol, string? url) => new()
        {
            Protocol = protocol == RTCIceProtocol.Tcp ? "tcp" : "udp",
            TcpType = tcpType?.ToString().ToLowerInvariant(),
            RelayProtocol = relayProtocol?.ToString().ToLowerInvariant(),
            Url = url,
            Id = id,
            Timestamp = now,
            IsLocal = local,
            TransportId = "T01",
            Address = endPoint.Address,
            Port = endPoint.Port,
            CandidateType = type switch
            {
                RTCIceCandidateType.Host => "host",
                RTCIceCandidateType.Srflx => "srflx",
                RTCIceCandidateType.Prflx => "prflx",
                _ => "relay",
            },
            Priority = priority,
            Foundation = foundation,
        };
    }

    private static string CipherName(int suite) => suite switch
    {
        0xC02B => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        0xC02F => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        0xC02C => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        0xC030 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        0xCCA9 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        0xCCA8 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        _ => "0x" + suite.ToString("X4", System.Globalization.CultureInfo.InvariantCulture),
    };

    private readonly record struct IPEndPointLike(string Address, int Port)
    {
        public static implicit operator IPEndPointLike(System.Net.IPEndPoint endPoint) => new(endPoint.Address.ToString(), endPoint.Port);
    }
}
