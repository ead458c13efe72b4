namespace WebRtc.Client.Sdp;

/// <summary>
/// A session description, or a value inside it, breaks the SDP grammar (RFC 8866) or the
/// grammar of one of the attributes this library reads. The message names the 1-based line
/// number and the line text; an <c>a=ice-pwd</c> value is never quoted (it is a secret).
/// </summary>
public class SdpParseException : FormatException
{
    private const int MaxQuotedLength = 200;

    /// <summary>Creates the exception for a line of a description.</summary>
    /// <param name="reason">What is wrong, without a final period.</param>
    /// <param name="lineNumber">The 1-based line number, or 0 when the error is not tied to a line.</param>
    /// <param name="lineText">The line as read (without its line ending), or null.</param>
    public SdpParseException(string reason, int lineNumber, string? lineText)
        : base(Format(reason, lineNumber, lineText))
    {
        Reason = reason;
        LineNumber = lineNumber;
        LineText = lineText is null ? null : Redact(lineText);
    }

    /// <summary>Creates the exception for a value that is not tied to a line (for example a constructed attribute).</summary>
    /// <param name="reason">What is wrong, without a final period.</param>
    public SdpParseException(string reason)
        : this(reason, 0, null)
    {
    }

    /// <summary>What is wrong, without the line number and text.</summary>
    public string Reason { get; }

    /// <summary>The 1-based number of the offending line; 0 when the error is not tied to a line.</summary>
    public int LineNumber { get; }

    /// <summary>The offending line (an <c>a=ice-pwd</c> value is replaced by <c>***</c>), or null.</summary>
    public string? LineText { get; }

    // Hides ICE passwords and truncates very long lines so the message stays loggable.
    internal static string Redact(string line)
    {
        if (line.StartsWith("a=ice-pwd", StringComparison.OrdinalIgnoreCase))
        {
            return "a=ice-pwd:***";
        }
        return line.Length <= MaxQuotedLength ? line : string.Concat(line.AsSpan(0, MaxQuotedLength), "...");
    }

    private static string Format(string reason, int lineNumber, string? lineText) =>
        lineNumber > 0
            ? $"Invalid SDP at line {lineNumber}: {reason}: \"{Redact(lineText ?? string.Empty)}\"."
            : lineText is null ? $"Invalid SDP: {reason}." : $"Invalid SDP: {reason}: \"{Redact(lineText)}\".";
}
