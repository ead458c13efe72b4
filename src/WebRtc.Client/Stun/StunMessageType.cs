using System.Buffers.Binary;

namespace WebRtc.Client.Stun;

/// <summary>A STUN message type: a method and a class packed into 14 bits (RFC 8489 §5).</summary>
public readonly record struct StunMessageType(StunMethod Method, StunClass Class)
{
    /// <summary>Binding request.</summary>
    public static readonly StunMessageType BindingRequest = new(StunMethod.Binding, StunClass.Request);
    /// <summary>Binding success response.</summary>
    public static readonly StunMessageType BindingSuccess = new(StunMethod.Binding, StunClass.SuccessResponse);
    /// <summary>Binding error response.</summary>
    public static readonly StunMessageType BindingError = new(StunMethod.Binding, StunClass.ErrorResponse);
    /// <summary>Binding indication.</summary>
    public static readonly StunMessageType BindingIndication = new(StunMethod.Binding, StunClass.Indication);

    /// <summary>The 16-bit wire value: M11..M7 C1 M6..M4 C0 M3..M0.</summary>
    public ushort Value
    {
        get
        {
            int m = (int)Method, c = (int)Class;
            return (ushort)((m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2) | ((c & 1) << 4) | ((c & 2) << 7));
        }
    }

    /// <summary>Decodes the 16-bit wire value.</summary>
    public static StunMessageType FromValue(ushort value)
    {
        int method = (value & 0x000F) | ((value & 0x00E0) >> 1) | ((value & 0x3E00) >> 2);
        int cls = ((value & 0x0010) >> 4) | ((value & 0x0100) >> 7);
        return new StunMessageType((StunMethod)method, (StunClass)cls);
    }

    /// <summary>True for success and error responses.</summary>
    public bool IsResponse => Class is StunClass.SuccessResponse or StunClass.ErrorResponse;

    /// <summary>The success-response type of the same method.</summary>
    public StunMessageType ToSuccess() => new(Method, StunClass.SuccessResponse);

    /// <summary>The error-response type of the same method.</summary>
    public StunMessageType ToError() => new(Method, StunClass.ErrorResponse);

    /// <inheritdoc />
    public override string ToString() => $"{Method} {Class}";

    internal static StunMessageType Read(ReadOnlySpan<byte> header) => FromValue(BinaryPrimitives.ReadUInt16BigEndian(header));
}
