namespace WebRtc.Client.Codecs;

/// <summary>Turns RTP payloads back into interleaved 16-bit PCM, and fills in for lost ones.</summary>
public interface IAudioDecoder : IDisposable
{
    /// <summary>The codec's SDP name, e.g. <c>opus</c>.</summary>
    string CodecName { get; }

    /// <summary>Output sample rate in Hz.</summary>
    int SampleRate { get; }

    /// <summary>Interleaved output channels.</summary>
    int Channels { get; }

    /// <summary>Whether <see cref="DecodeFec"/> can rebuild a lost packet from the one after it.</summary>
    bool SupportsFec { get; }

    /// <summary>Decodes one payload. Corrupt input is reported by returning -1, never by throwing.</summary>
    /// <param name="payload">The RTP payload.</param>
    /// <param name="pcm">Destination, large enough for the payload's samples x <see cref="Channels"/>.</param>
    /// <returns>Samples per channel written, or -1 when the payload is corrupt.</returns>
    int Decode(ReadOnlySpan<byte> payload, Span<short> pcm);

    /// <summary>Packet-loss concealment: synthesises <paramref name="samplesPerChannel"/> samples for a lost payload.</summary>
    /// <param name="samplesPerChannel">Length of the gap (usually one frame).</param>
    /// <param name="pcm">Destination.</param>
    /// <returns>Samples per channel written.</returns>
    int Conceal(int samplesPerChannel, Span<short> pcm);

    /// <summary>
    /// Rebuilds the lost payload that preceded <paramref name="nextPayload"/> from the redundancy
    /// carried in it; call it before decoding <paramref name="nextPayload"/> itself. Decoders
    /// without FEC conceal instead.
    /// </summary>
    /// <param name="nextPayload">The payload that arrived after the gap.</param>
    /// <param name="samplesPerChannel">Length of the gap.</param>
    /// <param name="pcm">Destination.</param>
    /// <returns>Samples per channel written.</returns>
    int DecodeFec(ReadOnlySpan<byte> nextPayload, int samplesPerChannel, Span<short> pcm);
}
