using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using WebRtc.Client.DataChannels;

namespace WebRtc.Client.InteropTests;

/// <summary>One message as it arrived: text or bytes.</summary>
public sealed record ReceivedMessage(bool IsBinary, byte[] Data, string? Text);

/// <summary>Collects the messages one of our channels receives, optionally echoing each back.</summary>
public sealed class Inbox
{
    private readonly Channel<ReceivedMessage> _messages = Channel.CreateUnbounded<ReceivedMessage>();

    public Inbox(RTCDataChannel channel, bool echo = false)
    {
        DataChannel = channel;
        channel.MessageReceived += (_, m) =>
        {
            if (echo)
            {
                if (m.IsBinary)
                {
                    channel.Send(m.Span);
                }
                else
                {
                    channel.Send(m.Text!);
                }
            }

            _messages.Writer.TryWrite(new ReceivedMessage(m.IsBinary, m.ToArray(), m.Text));
        };
    }

    public RTCDataChannel DataChannel { get; }

    /// <summary>The next message; on a timeout, <paramref name="call"/>'s states go into the exception.</summary>
    public async Task<ReceivedMessage> NextAsync(InteropCall? call = null)
    {
        try
        {
            return await _messages.Reader.ReadAsync().AsTask().WaitAsync(ForeignPeer.DefaultTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            string more = call is null ? string.Empty : $" {call.OurState()} {call.Foreign.Diagnostics()}";
            throw new TimeoutException($"no message on our channel '{DataChannel.Label}' in time (state {DataChannel.ReadyState}, received {DataChannel.MessagesReceived}).{more}");
        }
    }

    public bool TryTake(out ReceivedMessage? message) => _messages.Reader.TryRead(out message);
}

/// <summary>Test payloads and the helpers to move them across the JSON protocol.</summary>
public static class Payloads
{
    /// <summary>Bytes of a recognisable, position-dependent pattern.</summary>
    public static byte[] Binary(int size, int seed = 0)
    {
        var data = new byte[size];
        var random = new Random(size * 31 + seed);
        random.NextBytes(data);
        return data;
    }

    /// <summary>Text whose UTF-8 encoding is exactly <paramref name="utf8Size"/> bytes, with 2-, 3- and 4-byte characters where it fits.</summary>
    public static string Text(int utf8Size, int seed = 0)
    {
        string[] pieces = ["héllo ", "wörld ", "✓ ", "🙂 ", "data-channel ", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), " "];
        var text = new StringBuilder(utf8Size);
        int bytes = 0;
        for (int i = 0; ; i++)
        {
            string piece = pieces[i % pieces.Length];
            int size = Encoding.UTF8.GetByteCount(piece);
            if (bytes + size > utf8Size)
            {
                break;
            }

            text.Append(piece);
            bytes += size;
        }

        text.Append('x', utf8Size - bytes);
        return text.ToString();
    }

    /// <summary>The send command for the foreign peer.</summary>
    public static JsonObject SendCommand(string label, bool binary, byte[]? data, string? text, int count = 1) => new()
    {
        ["label"] = label,
        ["binary"] = binary,
        ["data"] = binary ? Convert.ToBase64String(data!) : text,
        ["count"] = count,
    };

    /// <summary>The bytes of a foreign "message" event (base64 when binary, else the UTF-8 of the text).</summary>
    public static byte[] DataOf(JsonObject message) =>
        (bool)message["binary"]!
            ? Convert.FromBase64String((string)message["data"]!)
            : Encoding.UTF8.GetBytes((string)message["data"]!);
}
