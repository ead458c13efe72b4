namespace WebRtc.Client.Signaling;

/// <summary>
/// A signaling channel failed or cannot do what was asked: it is closed, the connection could not be
/// made or was lost, or a message is larger than the channel allows. Malformed JSON is reported by
/// <see cref="SignalingMessage.Parse(string)"/> as a <see cref="FormatException"/> instead.
/// </summary>
public class SignalingException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public SignalingException() : base("Signaling failed.") { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public SignalingException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public SignalingException(string message, Exception innerException) : base(message, innerException) { }
}
