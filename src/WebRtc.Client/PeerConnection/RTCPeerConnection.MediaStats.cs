using WebRtc.Client.Media;

namespace WebRtc.Client;

/// <summary>W3C <c>RTCRtpStreamStats</c> members common to the RTP stats.</summary>
public abstract class RTCRtpStreamStats : RTCStats
{
    /// <summary>The SSRC.</summary>
    public required uint Ssrc { get; init; }

    /// <summary><c>audio</c> or <c>video</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The transport's stats id.</summary>
    public string? TransportId { get; init; }

    /// <summary>The codec's stats id.</summary>
    public string? CodecId { get; init; }
}

/// <summary>W3C <c>RTCInboundRtpStreamStats</c> (<c>inbound-rtp</c>).</summary>
public sealed class RTCInboundRtpStreamStats : RTCRtpStreamStats
{
    /// <inheritdoc/>
    public override string Type => "inbound-rtp";

    /// <summary>The mid.</summary>
    public string? Mid { get; init; }

    /// <summary>The receiver's track id.</summary>
    public string? TrackIdentifier { get; init; }

    /// <summary>Packets received (retransmissions included).</summary>
    public long PacketsReceived { get; init; }

    /// <summary>Payload bytes received.</summary>
    public long BytesReceived { get; init; }

    /// <summary>Packets lost (RFC 3550 cumulative lost: expected minus received).</summary>
    public long PacketsLost { get; init; }

    /// <summary>Interarrival jitter in seconds (RFC 3550 A.8).</summary>
    public double Jitter { get; init; }

    /// <summary>Packets recovered by retransmission.</summary>
    public long RetransmittedPacketsReceived { get; init; }

    /// <summary>NACK feedback sent (sequence numbers).</summary>
    public long NackCount { get; init; }

    /// <summary>PLIs sent.</summary>
    public long PliCount { get; init; }

    /// <summary>Complete frames received (video), or audio packets.</summary>
    public long FramesReceived { get; init; }

    /// <summary>Frames decoded.</summary>
    public long FramesDecoded { get; init; }

    /// <summary>Keyframes decoded.</summary>
    public long KeyFramesDecoded { get; init; }

    /// <summary>Frames dropped (incomplete, or waiting for a keyframe).</summary>
    public long FramesDropped { get; init; }

    /// <summary>Width of the last decoded frame.</summary>
    public int? FrameWidth { get; init; }

    /// <summary>Height of the last decoded frame.</summary>
    public int? FrameHeight { get; init; }

    /// <summary>Seconds spent decoding.</summary>
    public double TotalDecodeTime { get; init; }

    /// <summary>Audio level of the last decoded audio, 0 to 1 (W3C: linear, 1 = 0 dBov).</summary>
    public double? AudioLevel { get; init; }

    /// <summary>Sum of level² × duration of the decoded audio (W3C totalAudioEnergy).</summary>
    public double? TotalAudioEnergy { get; init; }

    /// <summary>Seconds of decoded audio.</summary>
    public double? TotalSamplesDuration { get; init; }

    /// <summary>Audio samples received (per channel).</summary>
    public long? TotalSamplesReceived { get; init; }

    /// <summary>Audio samples synthesised to hide losses.</summary>
    public long? ConcealedSamples { get; init; }
}

/// <summary>W3C <c>RTCOutboundRtpStreamStats</c> (<c>outbound-rtp</c>).</summary>
public sealed class RTCOutboundRtpStreamStats : RTCRtpStreamStats
{
    /// <inheritdoc/>
    public override string Type => "outbound-rtp";

    /// <summary>The mid.</summary>
    public string? Mid { get; init; }

    /// <summary>The media-source stats id.</summary>
    public string? MediaSourceId { get; init; }

    /// <summary>The remote-inbound-rtp stats id.</summary>
    public string? RemoteId { get; init; }

    /// <summary>The RTX SSRC, when RTX is negotiated.</summary>
    public uint? RtxSsrc { get; init; }

    /// <summary>Packets sent.</summary>
    public long PacketsSent { get; init; }

    /// <summary>Payload bytes sent.</summary>
    public long BytesSent { get; init; }

    /// <summary>Packets retransmitted (RTX).</summary>
    public long RetransmittedPacketsSent { get; init; }

    /// <summary>Bytes retransmitted.</summary>
    public long RetransmittedBytesSent { get; init; }

    /// <summary>Frames encoded.</summary>
    public long FramesEncoded { get; init; }

    /// <summary>Keyframes encoded.</summary>
    public long KeyFramesEncoded { get; init; }

    /// <summary>Seconds spent encoding.</summary>
    public double TotalEncodeTime { get; init; }

    /// <summary>Width of the last encoded frame.</summary>
    public int? FrameWidth { get; init; }

    /// <summary>Height of the last encoded frame.</summary>
    public int? FrameHeight { get; init; }

    /// <summary>NACKs received.</summary>
    public long NackCount { get; init; }

    /// <summary>PLIs received.</summary>
    public long PliCount { get; init; }

    /// <summary>FIRs received.</summary>
    public long FirCount { get; init; }

    /// <summary>Whether the encoding is active.</summary>
    public bool Active { get; init; }
}

/// <summary>W3C <c>RTCRemoteInboundRtpStreamStats</c> (<c>remote-inbound-rtp</c>): what the remote's receiver reports say of our stream.</summary>
public sealed class RTCRemoteInboundRtpStreamStats : RTCRtpStreamStats
{
    /// <inheritdoc/>
    public override string Type => "remote-inbound-rtp";

    /// <summary>The outbound-rtp stats id.</summary>
    public string? LocalId { get; init; }

    /// <summary>Packets lost, per the remote.</summary>
    public long PacketsLost { get; init; }

    /// <summary>Fraction lost in the last report interval, 0 to 1.</summary>
    public double FractionLost { get; init; }

    /// <summary>Jitter in seconds, per the remote.</summary>
    public double Jitter { get; init; }

    /// <summary>The last round-trip time from LSR/DLSR (RFC 3550 §6.4.1), in seconds.</summary>
    public double? RoundTripTime { get; init; }

    /// <summary>Sum of the measured round-trip times, in seconds.</summary>
    public double TotalRoundTripTime { get; init; }

    /// <summary>Round-trip measurements.</summary>
    public long RoundTripTimeMeasurements { get; init; }
}

/// <summary>W3C <c>RTCCodecStats</c> (<c>codec</c>).</summary>
public sealed class RTCCodecStats : RTCStats
{
    /// <inheritdoc/>
    public override string Type => "codec";

    /// <summary>The payload type.</summary>
    public required int PayloadType { get; init; }

    /// <summary>E.g. <c>video/VP8</c>.</summary>
    public required string MimeType { get; init; }

    /// <summary>The clock rate.</summary>
    public required int ClockRate { get; init; }

    /// <summary>Audio channels.</summary>
    public int? Channels { get; init; }

    /// <summary>The fmtp line.</summary>
    public string? SdpFmtpLine { get; init; }

    /// <summary>The transport's stats id.</summary>
    public string? TransportId { get; init; }
}

/// <summary>W3C <c>RTCMediaSourceStats</c> (<c>media-source</c>): a local track being sent.</summary>
public sealed class RTCMediaSourceStats : RTCStats
{
    /// <inheritdoc/>
    public override string Type => "media-source";

    /// <summary>The track id.</summary>
    public required string TrackIdentifier { get; init; }

    /// <summary><c>audio</c> or <c>video</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>Width of the last frame (video).</summary>
    public int? Width { get; init; }

    /// <summary>Height of the last frame (video).</summary>
    public int? Height { get; init; }

    /// <summary>Level of the last audio frame sent, 0 to 1.</summary>
    public double? AudioLevel { get; init; }
}

public sealed partial class RTCPeerConnection
{
    private Task<RTCStatsReport> GetStatsForAsync(RTCRtpSender? sender, RTCRtpReceiver? receiver)
    {
        double now = _options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var stats = new List<RTCStats>();
        AddMediaStats(stats, now, sender, receiver);
        return Task.FromResult(new RTCStatsReport(stats));
    }

    // The RTP stats of every transceiver (or of one sender/receiver), W3C member names.
    private void AddMediaStats(List<RTCStats> stats, double now, RTCRtpSender? onlySender, RTCRtpReceiver? onlyReceiver)
    {
        const string transportId = "T01";
        var codecs = new Dictionary<string, RTCCodecStats>();
        string CodecId(MediaKind kind, int pt, string name, int clock, int channels, string? fmtp)
        {
            var id = $"CIT01_{pt}_{fmtp}";
            codecs.TryAdd(id, new RTCCodecStats
            {
                Id = id,
                Timestamp = now,
                PayloadType = pt,
                MimeType = MediaCapabilities.MimeType(kind, name),
                ClockRate = clock,
                Channels = kind == MediaKind.Audio ? channels : null,
                SdpFmtpLine = fmtp,
                TransportId = transportId,
            });
            return id;
        }

        foreach (var t in GetTransceivers())
        {
            string kind = t.Kind == MediaKind.Audio ? "audio" : "video";
            if (onlyReceiver is null || onlySender is not null)
            {
                var s = t.Sender.Stream;
                if ((onlySender is null || onlySender == t.Sender) && s.HasSent)
                {
                    var config = s.Config;
                    var codecId = config is null ? null : CodecId(t.Kind, config.PayloadType, config.Codec.Name, config.ClockRate, config.Channels, config.Fmtp);
                    string outId = $"OT01{(t.Kind == MediaKind.Audio ? "A" : "V")}{s.Ssrc}";
                    string remoteId = $"RI{outId}";
                    string? sourceId = t.Sender.Track is { } track ? $"SO{track.Id}" : null;
                    stats.Add(new RTCOutboundRtpStreamStats
                    {
                        Id = outId,
                        Timestamp = now,
                        Ssrc = s.Ssrc,
                        Kind = kind,
                        TransportId = transportId,
                        CodecId = codecId,
                        Mid = t.Mid,
                        MediaSourceId = sourceId,
                        RemoteId = s.Statistics.ReportBlocksReceived > 0 ? remoteId : null,
                        RtxSsrc = config?.RtxPayloadType is null ? null : s.RtxSsrc,
                        PacketsSent = s.Statistics.PacketsSent,
                        BytesSent = s.Statistics.BytesSent,
                        RetransmittedPacketsSent = s.RetransmittedPackets,
                        RetransmittedBytesSent = s.RetransmittedBytes,
                        FramesEncoded = s.FramesEncoded,
                        KeyFramesEncoded = s.KeyFramesEncoded,
                        TotalEncodeTime = s.TotalEncodeTime,
                        FrameWidth = t.Kind == MediaKind.Video ? s.FrameWidth : null,
                        FrameHeight = t.Kind == MediaKind.Video ? s.FrameHeight : null,
                        NackCount = s.NackReceived,
                        PliCount = s.PliReceived,
                        FirCount = s.FirReceived,
                        Active = s.Active,
                    });
                    if (s.Statistics.ReportBlocksReceived > 0)
                    {
                        stats.Add(new RTCRemoteInboundRtpStreamStats
                        {
                            Id = remoteId,
                            Timestamp = now,
                            Ssrc = s.Ssrc,
                            Kind = kind,
                            TransportId = transportId,
                            CodecId = codecId,
                            LocalId = outId,
                            PacketsLost = s.Statistics.RemotePacketsLost,
                            FractionLost = s.Statistics.RemoteFractionLost,
                            Jitter = s.Statistics.RemoteJitter,
                            RoundTripTime = s.Statistics.RoundTripTime?.TotalSeconds,
                            TotalRoundTripTime = s.Statistics.TotalRoundTripTime.TotalSeconds,
                            RoundTripTimeMeasurements = s.Statistics.RoundTripTimeMeasurements,
                        });
                    }

                    if (sourceId is not null)
                    {
                        stats.Add(new RTCMediaSourceStats
                        {
                            Id = sourceId,
                            Timestamp = now,
                            TrackIdentifier = t.Sender.Track!.Id,
                            Kind = kind,
                            Width = t.Kind == MediaKind.Video ? s.FrameWidth : null,
                            Height = t.Kind == MediaKind.Video ? s.FrameHeight : null,
                            AudioLevel = t.Kind == MediaKind.Audio ? Math.Pow(10, -s.AudioLevel / 20.0) : null,
                        });
                    }
                }
            }

            if (onlySender is null || onlyReceiver is not null)
            {
                var r = t.Receiver.Stream;
                if ((onlyReceiver is null || onlyReceiver == t.Receiver) && r?.Statistics is { } rs && r.RemoteSsrc is { } ssrc)
                {
                    var c = r.CurrentCodec;
                    bool audio = t.Kind == MediaKind.Audio;
                    stats.Add(new RTCInboundRtpStreamStats
                    {
                        Id = $"IT01{(audio ? "A" : "V")}{ssrc}",
                        Timestamp = now,
                        Ssrc = ssrc,
                        Kind = kind,
                        TransportId = transportId,
                        CodecId = c is null ? null : CodecId(t.Kind, c.PayloadType, c.Codec.Name, c.ClockRate, c.Channels, c.Fmtp),
                        Mid = t.Mid,
                        TrackIdentifier = t.Receiver.Track.Id,
                        PacketsReceived = rs.PacketsReceived,
                        BytesReceived = rs.BytesReceived,
                        PacketsLost = rs.PacketsLost,
                        Jitter = rs.Jitter,
                        RetransmittedPacketsReceived = r.RetransmittedPacketsReceived,
                        NackCount = r.NackSent,
                        PliCount = r.PliSent,
                        FramesReceived = r.FramesReceived,
                        FramesDecoded = r.FramesDecoded,
                        KeyFramesDecoded = r.KeyFramesDecoded,
                        FramesDropped = r.FramesDropped,
                        FrameWidth = audio ? null : r.FrameWidth,
                        FrameHeight = audio ? null : r.FrameHeight,
                        TotalDecodeTime = r.TotalDecodeTime,
                        AudioLevel = audio ? r.AudioLevel : null,
                        TotalAudioEnergy = audio ? r.TotalAudioEnergy : null,
                        TotalSamplesDuration = audio ? r.TotalSamplesDuration : null,
                        TotalSamplesReceived = audio ? r.TotalSamplesReceived : null,
                        ConcealedSamples = audio ? r.ConcealedSamples : null,
                    });
                }
            }
        }

        stats.AddRange(codecs.Values);
    }
}
