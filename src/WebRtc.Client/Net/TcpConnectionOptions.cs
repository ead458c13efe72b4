using System.Net;
using System.Net.Security;
using Microsoft.Extensions.Logging;

namespace WebRtc.Client.Net;

/// <summary>How a <see cref="FramedTcpConnection"/> is made and behaves.</summary>
public sealed class TcpConnectionOptions
{
    /// <summary>How the byte stream is cut into frames.</summary>
    public TcpFraming Framing { get; init; }

    /// <summary>Logger for Debug-level network diagnostics; null for none.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>Creates the socket of an outgoing connection; null for <c>new Socket(...)</c>.</summary>
    public SocketFactory? SocketFactory { get; init; }

    /// <summary>Local address (and port) an outgoing connection binds before it connects; null for any.</summary>
    public IPEndPoint? LocalEndPoint { get; init; }

    /// <summary>
    /// Non-null: an outgoing connection runs TLS as a client over TCP (TURN <c>turns:</c>, RFC 8656
    /// §3.1), with this name for SNI and certificate validation. Ignored for accepted connections.
    /// </summary>
    public string? TlsTargetHost { get; init; }

    /// <summary>Validates the server's certificate; null for the system's validation.</summary>
    public RemoteCertificateValidationCallback? TlsCertificateValidation { get; init; }

    /// <summary>
    /// Bytes (framing included) that may wait to be written before <see cref="FramedTcpConnection.TrySend"/>
    /// drops frames and returns false, as a full UDP socket would. Default 1 MiB.
    /// </summary>
    public int SendQueueLimit { get; init; } = 1 << 20;

    /// <summary>Time allowed for the TCP connect and the TLS handshake together. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws when a value is out of range.</summary>
    internal void Validate()
    {
        if (Framing is not (TcpFraming.Rfc4571 or TcpFraming.Stun))
        {
            throw new ArgumentOutOfRangeException(nameof(Framing), Framing, "Unknown TCP framing.");
        }

        if (SendQueueLimit <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(SendQueueLimit), SendQueueLimit, "The send queue limit must be positive.");
        }

        if (ConnectTimeout <= TimeSpan.Zero && ConnectTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectTimeout), ConnectTimeout, "The connect timeout must be positive or infinite.");
        }
    }
}
