namespace WebRtc.Client.Codecs;

/// <summary>Argument checks shared by the fixed-rate telephony codecs (G.711, G.722).</summary>
internal static class FixedRateCodec
{
    public static void Check(AudioEncoderSettings settings, int sampleRate, int bitrate)
    {
        if (settings.Channels != 1)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings.Channels, "G.711 and G.722 are mono.");
        }

        if (settings.Bitrate != 0 && settings.Bitrate != bitrate)
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings.Bitrate, $"This codec runs at {bitrate} bit/s only.");
        }

        if (settings.Fec || settings.Dtx)
        {
            throw new NotSupportedException("G.711 and G.722 have no in-band FEC or DTX.");
        }

        _ = FrameSize(settings, sampleRate);
    }

    public static int FrameSize(AudioEncoderSettings settings, int sampleRate)
    {
        long samples = settings.FrameDuration.Ticks * sampleRate / TimeSpan.TicksPerSecond;
        if (samples < 1 || samples * TimeSpan.TicksPerSecond != settings.FrameDuration.Ticks * sampleRate || settings.FrameDuration > TimeSpan.FromMilliseconds(120))
        {
            throw new ArgumentOutOfRangeException(nameof(settings), settings.FrameDuration, "Frame duration must be a whole number of samples, at most 120 ms.");
        }

        return (int)samples;
    }

    public static void SetBitrate(int value, int bitrate, string codec)
    {
        if (value != bitrate)
        {
            throw new NotSupportedException($"{codec} runs at {bitrate} bit/s only.");
        }
    }

    public static void Unsupported(bool value, string feature, string codec)
    {
        if (value)
        {
            throw new NotSupportedException($"{codec} has no {feature}.");
        }
    }
}
