using System.Text;

namespace WebRtc.Client.DataChannels;

/// <summary>
/// A received data-channel message. Binary data lives in a pooled buffer: <see cref="Data"/>
/// and <see cref="Span"/> are valid only while the handler runs; call <see cref="ToArray"/>
/// to keep the bytes. Text is decoded once and may be kept.
/// </summary>
public sealed class RTCDataChannelMessageEventArgs : EventArgs
{
    internal RTCDataChannelMessageEventArgs(bool isBinary, ReadOnlyMemory<byte> data)
    {
        IsBinary = isBinary;
        Data = data;
        if (!isBinary)
        {
            Text = Encoding.UTF8.GetString(data.Span);
        }
    }

    /// <summary>True for a binary message, false for text.</summary>
    public bool IsBinary { get; }

    /// <summary>The bytes (UTF-8 for text); valid only during the handler.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The bytes as a span; valid only during the handler.</summary>
    public ReadOnlySpan<byte> Span => Data.Span;

    /// <summary>The text of a text message; null for binary.</summary>
    public string? Text { get; }

    /// <summary>A copy of the bytes that outlives the handler.</summary>
    public byte[] ToArray() => Data.ToArray();
}

/// <summary>A channel the peer opened (W3C RTCDataChannelEvent).</summary>
/// <param name="channel">The channel.</param>
public sealed class RTCDataChannelEventArgs(RTCDataChannel channel) : EventArgs
{
    /// <summary>The channel.</summary>
    public RTCDataChannel Channel { get; } = channel;
}

/// <summary>An error on a data channel (W3C RTCErrorEvent).</summary>
/// <param name="error">The error.</param>
public sealed class RTCErrorEventArgs(RTCException error) : EventArgs
{
    /// <summary>The error.</summary>
    public RTCException Error { get; } = error;
}
