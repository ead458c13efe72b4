using System.Security.Cryptography;

namespace WebRtc.Client.Ice;

/// <summary>
/// An ICE username fragment and password (RFC 8839 §5.4, <c>a=ice-ufrag</c> / <c>a=ice-pwd</c>).
/// The constructor validates both; <see cref="ToString"/> never prints the password, so an
/// instance can reach a log without leaking it.
/// </summary>
public sealed record IceCredentials
{
    /// <summary>Length of a generated username fragment, as Chromium does (24 bits of randomness, RFC 8445 §5.3 asks for at least 24).</summary>
    public const int GeneratedUfragLength = 4;

    /// <summary>Length of a generated password, as Chromium does (144 bits of randomness, RFC 8445 §5.3 asks for at least 128).</summary>
    public const int GeneratedPwdLength = 24;

    // ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.4): exactly 64 symbols, 6 bits each.
    private const string IceCharAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// <summary>Creates validated credentials.</summary>
    /// <param name="ufrag">The username fragment: 4 to 256 ice-chars.</param>
    /// <param name="pwd">The password: 22 to 256 ice-chars.</param>
    /// <exception cref="ArgumentException">A value is null, of the wrong length, or holds a character outside ALPHA / DIGIT / "+" / "/".</exception>
    public IceCredentials(string ufrag, string pwd)
    {
        if (!IsValidUfrag(ufrag))
        {
            throw new ArgumentException("An ICE ufrag must be 4 to 256 characters of ALPHA / DIGIT / '+' / '/' (RFC 8839 §5.4).", nameof(ufrag));
        }
        if (!IsValidPwd(pwd))
        {
            // The value itself is not quoted: it is a secret.
            throw new ArgumentException("An ICE pwd must be 22 to 256 characters of ALPHA / DIGIT / '+' / '/' (RFC 8839 §5.4).", nameof(pwd));
        }
        Ufrag = ufrag;
        Pwd = pwd;
    }

    /// <summary>The username fragment (<c>a=ice-ufrag</c>).</summary>
    public string Ufrag { get; }

    /// <summary>The password (<c>a=ice-pwd</c>). Keep it out of logs.</summary>
    public string Pwd { get; }

    /// <summary>Generates fresh random credentials (4-character ufrag, 24-character pwd) with <see cref="RandomNumberGenerator"/>.</summary>
    /// <returns>New credentials.</returns>
    public static IceCredentials Generate() =>
        new(RandomNumberGenerator.GetString(IceCharAlphabet, GeneratedUfragLength),
            RandomNumberGenerator.GetString(IceCharAlphabet, GeneratedPwdLength));

    /// <summary>Whether <paramref name="ufrag"/> is a valid ICE username fragment: 4 to 256 ice-chars (RFC 8839 §5.4).</summary>
    /// <param name="ufrag">The value to check; null is invalid.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool IsValidUfrag(string? ufrag) => ufrag is { Length: >= 4 and <= 256 } && IsIceChars(ufrag);

    /// <summary>Whether <paramref name="pwd"/> is a valid ICE password: 22 to 256 ice-chars (RFC 8839 §5.4).</summary>
    /// <param name="pwd">The value to check; null is invalid.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool IsValidPwd(string? pwd) => pwd is { Length: >= 22 and <= 256 } && IsIceChars(pwd);

    /// <summary>Whether every character of <paramref name="value"/> is an ice-char (ALPHA / DIGIT / "+" / "/").</summary>
    /// <param name="value">The characters to check.</param>
    /// <returns><see langword="true"/> when all are ice-chars (also for an empty span).</returns>
    public static bool IsIceChars(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (!IsIceChar(c)) { return false; }
        }
        return true;
    }

    /// <summary>Whether <paramref name="c"/> is an ice-char (ALPHA / DIGIT / "+" / "/").</summary>
    /// <param name="c">The character.</param>
    /// <returns><see langword="true"/> for an ice-char.</returns>
    public static bool IsIceChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '+' || c == '/';

    /// <summary>Prints the ufrag and hides the password.</summary>
    /// <returns><c>IceCredentials { Ufrag = ..., Pwd = *** }</c>.</returns>
    public override string ToString() => $"IceCredentials {{ Ufrag = {Ufrag}, Pwd = *** }}";
}
