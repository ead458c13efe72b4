namespace WebRtc.Client.Dtls;

/// <summary>A DTLS handshake or connection failure, with the reason in the message.</summary>
public sealed class DtlsException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public DtlsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the cause.</summary>
    public DtlsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception without a message (for serializers and analyzers).</summary>
    public DtlsException()
    {
    }

    /// <summary>The TLS alert description involved (RFC 5246 §7.2), when the failure was an alert.</summary>
    public int? AlertDescription { get; init; }

    /// <summary>True when the peer sent the alert; false when this side raised it.</summary>
    public bool AlertFromPeer { get; init; }
}
