namespace WebRtc.Client.Codecs.FFmpeg;

/// <summary>libavcodec refused a configuration or an operation; the message carries FFmpeg's error text.</summary>
public sealed class FFmpegException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FFmpegException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public FFmpegException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="inner">The cause.</param>
    public FFmpegException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
