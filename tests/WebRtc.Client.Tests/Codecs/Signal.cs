namespace WebRtc.Client.Tests.Codecs;

/// <summary>Measurements on decoded audio: level, dominant frequency, SNR against a reference.</summary>
internal static class Signal
{
    public static double Rms(ReadOnlySpan<short> samples)
    {
        double sum = 0;
        foreach (short s in samples)
        {
            sum += (double)s * s;
        }

        return Math.Sqrt(sum / Math.Max(1, samples.Length));
    }

    /// <summary>Frequency estimated from rising zero crossings (linearly interpolated), for a clean tone.</summary>
    public static double ToneFrequency(ReadOnlySpan<short> samples, int sampleRate)
    {
        double first = -1, last = -1;
        int crossings = 0;
        for (int i = 1; i < samples.Length; i++)
        {
            if (samples[i - 1] < 0 && samples[i] >= 0)
            {
                double t = i - 1 + (double)-samples[i - 1] / (samples[i] - samples[i - 1]);
                if (first < 0)
                {
                    first = t;
                }
                else
                {
                    crossings++;
                }

                last = t;
            }
        }

        return crossings == 0 ? 0 : crossings * sampleRate / (last - first);
    }

    /// <summary>Best SNR in dB of <paramref name="actual"/> against <paramref name="reference"/> over delays 0..maxDelay samples.</summary>
    public static (double Snr, int Delay) BestSnr(ReadOnlySpan<short> reference, ReadOnlySpan<short> actual, int maxDelay, int skip = 0)
    {
        double best = double.NegativeInfinity;
        int bestDelay = 0;
        for (int delay = 0; delay <= maxDelay; delay++)
        {
            double signal = 0, noise = 0;
            for (int i = skip; i + delay < actual.Length && i < reference.Length; i++)
            {
                double r = reference[i], e = actual[i + delay] - r;
                signal += r * r;
                noise += e * e;
            }

            double snr = 10 * Math.Log10(signal / Math.Max(noise, 1e-9));
            if (snr > best)
            {
                best = snr;
                bestDelay = delay;
            }
        }

        return (best, bestDelay);
    }

    public static short[] Sine(double hz, int sampleRate, int count, double amplitude)
    {
        var samples = new short[count];
        for (int i = 0; i < count; i++)
        {
            samples[i] = (short)Math.Round(amplitude * short.MaxValue * Math.Sin(2 * Math.PI * hz * i / sampleRate));
        }

        return samples;
    }

    /// <summary>
    /// A voiced-speech stand-in: 12 harmonics of a gliding 140 Hz pitch, modulated at a syllable
    /// rate. Opus's SILK voice detector treats it as speech, so in-band FEC (LBRR) gets coded; it
    /// does not for a pure tone.
    /// </summary>
    public static short[] SpeechLike(int sampleRate, int start, int count)
    {
        var samples = new short[count];
        for (int i = 0; i < count; i++)
        {
            double t = (double)(start + i) / sampleRate, v = 0;
            for (int k = 1; k <= 12; k++)
            {
                v += Math.Sin(2 * Math.PI * (140 + 20 * Math.Sin(2 * Math.PI * 0.7 * t)) * k * t) / k;
            }

            samples[i] = (short)(5000 * v * (0.55 + 0.45 * Math.Sin(2 * Math.PI * 4 * t)));
        }

        return samples;
    }
}
