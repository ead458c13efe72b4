using System.Buffers.Binary;
using System.Net;
using System.Text;
using WebRtc.Client.Stun;
using WebRtc.Client.Turn;

namespace WebRtc.Client.Tests.Turn;

/// <summary>Writes attributes into a response the scripted server builds.</summary>
internal delegate void AttributeWriter(ref StunWriter writer);

/// <summary>
/// The server side of a test, written by hand with <see cref="StunWriter"/>: it captures what the
/// client sends and answers the way the test says, signed with the long-term key when asked.
/// </summary>
internal sealed class ScriptedTurnServer
{
    public const string Username = "alice";
    public const string Password = "wonderland";
    public const string Realm = "example.org";
    public const string Nonce = "nonce-one";

    public static readonly IPEndPoint ServerEndPoint = new(IPAddress.Parse("192.0.2.1"), 3478);
    public static readonly IPEndPoint Relayed = new(IPAddress.Parse("192.0.2.1"), 49152);
    public static readonly IPEndPoint Mapped = new(IPAddress.Parse("198.51.100.7"), 40000);

    public ScriptedTurnServer(TurnTransportProtocol transport = TurnTransportProtocol.Udp, Action<TurnClientOptionsBuilder>? configure = null)
    {
        var builder = new TurnClientOptionsBuilder { Transport = transport };
        configure?.Invoke(builder);
        Client = new TurnClient(builder.Build(), message => Sent.Add(message.ToArray()));
    }

    public TurnClient Client { get; }

    /// <summary>Everything the client sent, in order.</summary>
    public List<byte[]> Sent { get; } = [];

    public byte[] Last => Sent[^1];

    /// <summary>The MD5 long-term key of the test user (RFC 8489 §9.2.2).</summary>
    public static byte[] Key(string realm = Realm) => StunIntegrity.LongTermKey(Username, realm, Password);

    public static StunMessageType TypeOf(byte[] message)
    {
        Assert.That(StunReader.TryParse(message, out var reader, out var error), Is.True, $"not STUN: {error}");
        return reader.Type;
    }

    public static StunTransactionId IdOf(byte[] message)
    {
        Assert.That(StunReader.TryParse(message, out var reader, out _), Is.True);
        return reader.TransactionId;
    }

    public static string? StringOf(byte[] message, StunAttributeType type)
    {
        Assert.That(StunReader.TryParse(message, out var reader, out _), Is.True);
        return reader.TryGetAttribute(type, out var value) ? Encoding.UTF8.GetString(value) : null;
    }

    public static uint? UInt32Of(byte[] message, StunAttributeType type)
    {
        Assert.That(StunReader.TryParse(message, out var reader, out _), Is.True);
        return reader.TryGetUInt32(type, out uint value) ? value : null;
    }

    public static IPEndPoint? XorAddressOf(byte[] message, StunAttributeType type)
    {
        Assert.That(StunReader.TryParse(message, out var reader, out _), Is.True);
        return reader.TryGetXorAddress(type, out var endPoint) ? endPoint : null;
    }

    public static bool HasAttribute(byte[] message, StunAttributeType type)
    {
        Assert.That(StunReader.TryParse(message, out var reader, out _), Is.True);
        return reader.HasAttribute(type);
    }

    public static bool VerifiesWith(byte[] message, byte[] key, bool sha256 = false)
    {
        Assert.That(StunReader.TryParse(message, out var reader, out _), Is.True);
        return sha256 ? reader.VerifyMessageIntegritySha256(key) : reader.VerifyMessageIntegrity(key);
    }

    /// <summary>A response to <paramref name="request"/>: signed with <paramref name="key"/> when given, FINGERPRINT last.</summary>
    public static byte[] Respond(byte[] request, StunClass cls, byte[]? key, AttributeWriter? attributes = null, bool sha256 = false)
    {
        var type = new StunMessageType(TypeOf(request).Method, cls);
        var buffer = new byte[2048];
        var writer = new StunWriter(buffer, type, IdOf(request));
        attributes?.Invoke(ref writer);
        if (key is not null)
        {
            if (sha256)
            {
                writer.AddMessageIntegritySha256(key);
            }
            else
            {
                writer.AddMessageIntegrity(key);
            }
        }

        writer.AddFingerprint();
        return writer.Written.ToArray();
    }

    /// <summary>A 401 or 438 challenge with REALM and NONCE (unsigned, as servers send them).</summary>
    public static byte[] Challenge(byte[] request, int code = 401, string nonce = Nonce, string? realm = Realm, byte[]? passwordAlgorithms = null) =>
        Respond(request, StunClass.ErrorResponse, null, (ref StunWriter w) =>
        {
            w.AddErrorCode(code, code == 401 ? "Unauthorized" : "Stale Nonce");
            if (realm is not null)
            {
                w.AddString(StunAttributeType.Realm, realm);
            }

            w.AddString(StunAttributeType.Nonce, nonce);
            if (passwordAlgorithms is not null)
            {
                w.AddAttribute(StunAttributeType.PasswordAlgorithms, passwordAlgorithms);
            }
        });

    public static byte[] Error(byte[] request, int code, string reason, byte[]? key = null) =>
        Respond(request, StunClass.ErrorResponse, key, (ref StunWriter w) => w.AddErrorCode(code, reason));

    public static byte[] AllocateSuccess(byte[] request, uint lifetime = 600, byte[]? key = null, bool sha256 = false) =>
        Respond(request, StunClass.SuccessResponse, key ?? Key(), (ref StunWriter w) =>
        {
            w.AddXorAddress(StunAttributeType.XorRelayedAddress, Relayed);
            w.AddUInt32(StunAttributeType.Lifetime, lifetime);
            w.AddXorAddress(StunAttributeType.XorMappedAddress, Mapped);
        }, sha256);

    public static byte[] LifetimeSuccess(byte[] request, uint lifetime, byte[]? key = null) =>
        Respond(request, StunClass.SuccessResponse, key ?? Key(), (ref StunWriter w) => w.AddUInt32(StunAttributeType.Lifetime, lifetime));

    public static byte[] Success(byte[] request, byte[]? key = null) => Respond(request, StunClass.SuccessResponse, key ?? Key());

    /// <summary>A PASSWORD-ALGORITHMS value listing <paramref name="algorithms"/> without parameters (RFC 8489 §14.11).</summary>
    public static byte[] PasswordAlgorithms(params ushort[] algorithms)
    {
        var value = new byte[algorithms.Length * 4];
        for (int i = 0; i < algorithms.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(i * 4), algorithms[i]);
        }

        return value;
    }

    /// <summary>Hands a message to the client and asserts it took it.</summary>
    public void Deliver(byte[] message, TimeSpan now) =>
        Assert.That(Client.HandleServerMessage(message, now), Is.True, "the client refused the response");

    /// <summary>Allocate, the 401 challenge, the authenticated Allocate and its success: the client ends Allocated.</summary>
    public void Allocate(TimeSpan now, uint lifetime = 600)
    {
        Client.Allocate(now);
        Deliver(Challenge(Last), now);
        Deliver(AllocateSuccess(Last, lifetime), now);
        Assert.That(Client.State, Is.EqualTo(TurnClientState.Allocated));
        DrainEvents();
    }

    public List<TurnClientEvent> DrainEvents()
    {
        var events = new List<TurnClientEvent>();
        while (Client.PollEvent(out var e))
        {
            events.Add(e!);
        }

        return events;
    }

    /// <summary>Requests sent since index <paramref name="from"/> of a method.</summary>
    public List<byte[]> SentSince(int from, StunMethod method) =>
        [.. Sent.Skip(from).Where(m => StunReader.IsStun(m) && TypeOf(m).Method == method && TypeOf(m).Class == StunClass.Request)];
}

/// <summary>Options for the scripted client with test defaults.</summary>
internal sealed class TurnClientOptionsBuilder
{
    public TurnTransportProtocol Transport { get; set; }

    public string Password { get; set; } = ScriptedTurnServer.Password;

    public System.Net.Sockets.AddressFamily RelayFamily { get; set; } = System.Net.Sockets.AddressFamily.InterNetwork;

    public TimeSpan RequestedLifetime { get; set; } = TimeSpan.FromMinutes(10);

    public string? Software { get; set; }

    public TurnClientOptions Build() => new()
    {
        Server = ScriptedTurnServer.ServerEndPoint,
        Username = ScriptedTurnServer.Username,
        Password = Password,
        Transport = Transport,
        RelayFamily = RelayFamily,
        RequestedLifetime = RequestedLifetime,
        Software = Software,
        Url = "turn:192.0.2.1:3478",
    };
}
