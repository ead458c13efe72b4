using System.Net;

namespace WebRtc.Client.Stun;

/// <summary>
/// A STUN client transaction got no response: every request of the retransmission schedule was sent
/// and the last wait ran out (RFC 8489 §6.2.1).
/// </summary>
public sealed class StunTimeoutException : TimeoutException
{
    /// <summary>Creates the exception with a default message.</summary>
    public StunTimeoutException()
        : base("The STUN transaction timed out.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public StunTimeoutException(string? message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public StunTimeoutException(string? message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The transaction that timed out.</summary>
    public StunTransactionId TransactionId { get; init; }

    /// <summary>The server the requests went to.</summary>
    public IPEndPoint? Server { get; init; }

    /// <summary>How many requests were sent, the first included.</summary>
    public int RequestsSent { get; init; }
}
