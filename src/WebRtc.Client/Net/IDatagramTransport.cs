namespace WebRtc.Client.Net;

/// <summary>Receives one datagram; the span is valid only during the call.</summary>
public delegate void DatagramReceiver(ReadOnlySpan<byte> datagram);

/// <summary>
/// A connected datagram path as the layers above ICE see it (DTLS, SRTP): whatever pair ICE
/// selected, without addresses. Sends never block and never throw for network reasons.
/// </summary>
public interface IDatagramTransport
{
    /// <summary>True while a path exists to send on.</summary>
    bool IsWritable { get; }

    /// <summary>Sends one datagram; false when there is no path or the socket refused it.</summary>
    bool TrySend(ReadOnlySpan<byte> datagram);

    /// <summary>Called inline on the receive loop for every datagram of this transport; null drops them.</summary>
    DatagramReceiver? Receiver { get; set; }
}
