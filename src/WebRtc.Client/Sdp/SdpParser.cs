namespace WebRtc.Client.Sdp;

// The RFC 8866 line parser behind SdpSessionDescription.Parse. Throws only SdpParseException.
internal static class SdpParser
{
    public static SdpSessionDescription Parse(string sdp)
    {
        var lines = sdp.Split('\n');
        var count = lines.Length;
        // Trailing empty lines (the final CRLF, or blank lines after it) are not lines.
        while (count > 0 && (lines[count - 1].Length == 0 || lines[count - 1] == "\r")) { count--; }
        if (count == 0) { throw new SdpParseException("the description is empty", 1, string.Empty); }

        SdpSessionDescription? session = null;
        SdpMediaDescription? media = null;
        string? name = null;
        for (var i = 0; i < count; i++)
        {
            var number = i + 1;
            var line = lines[i];
            if (line.EndsWith('\r')) { line = line[..^1]; }
            // RFC 8866 §5: <type>=<value>, type is one lowercase letter, no whitespace around '='.
            if (line.Length < 2 || line[1] != '=' || line[0] is < 'a' or > 'z')
            {
                throw Error(line.Length == 0 ? "empty line" : "a line must be <type>=<value> with a lowercase type letter", number, line);
            }
            if (!SdpAttribute.IsValidText(line)) { throw Error("the line holds a CR or NUL", number, line); }
            var type = line[0];
            var value = line[2..];

            // RFC 8866 §5: v=, o= and s= come first, in that order.
            if (number == 1)
            {
                if (type != 'v') { throw Error("the first line must be v=", number, line); }
                if (value != "0") { throw Error("only v=0 is defined", number, line); }
                continue;
            }
            if (number == 2)
            {
                if (type != 'o') { throw Error("the second line must be o=", number, line); }
                if (!SdpOrigin.TryParse(value, out var origin, out var oError)) { throw Error(oError, number, line); }
                session = new SdpSessionDescription(origin);
                continue;
            }
            if (number == 3)
            {
                if (type != 's') { throw Error("the third line must be s=", number, line); }
                name = value;
                session!.SessionName = value;
                continue;
            }
            var s = session!;
            if (type == 'm')
            {
                media = ParseMediaLine(value, number, line);
                s.Media.Add(media);
                continue;
            }
            if (type == 'a')
            {
                if (!SdpAttribute.TryParse(value, out var attribute, out var aError)) { throw Error(aError, number, line); }
                if (SdpTransportAttributes.Validate(attribute) is { } vError) { throw Error(vError, number, line); }
                (media?.Attributes ?? s.Attributes).Add(attribute);
                continue;
            }
            if (media is not null) { ParseMediaLevel(media, type, value, number, line); }
            else { ParseSessionLevel(s, type, value, number, line); }
        }
        if (session is null || name is null) { throw Error("a description needs v=, o= and s= lines", count, lines[count - 1].TrimEnd('\r')); }
        // RFC 8866 §5: one or more time descriptions ("t=" and "r=" lines).
        if (session.Timings.Count == 0) { throw new SdpParseException("the description has no t= line (RFC 8866 §5.9)"); }
        return session;
    }

    private static void ParseSessionLevel(SdpSessionDescription s, char type, string value, int number, string line)
    {
        switch (type)
        {
            case 'i': s.Information = Once(s.Information, value, number, line); break;
            case 'u': s.Uri = Once(s.Uri, value, number, line); break;
            case 'e': s.Emails.Add(value); break;
            case 'p': s.Phones.Add(value); break;
            case 'c':
                if (s.Connection is not null) { throw Error("a second session-level c= line", number, line); }
                s.Connection = SdpConnection.TryParse(value, out var c, out var cError) ? c : throw Error(cError, number, line);
                break;
            case 'b':
                s.Bandwidths.Add(SdpBandwidth.TryParse(value, out var b, out var bError) ? b : throw Error(bError, number, line));
                break;
            case 't':
                s.Timings.Add(SdpTiming.TryParse(value, out var t, out var tError) ? t : throw Error(tError, number, line));
                break;
            case 'r':
                if (s.Timings.Count == 0) { throw Error("an r= line must follow a t= line", number, line); }
                s.Timings[^1].Repeats.Add(value);
                break;
            case 'z': s.TimeZones = Once(s.TimeZones, value, number, line); break;
            case 'k': s.EncryptionKey = Once(s.EncryptionKey, value, number, line); break;
            case 'v' or 'o' or 's': throw Error($"a second {type}= line", number, line);
            default: throw Error($"unknown line type '{type}' (RFC 8866 §5)", number, line);
        }
    }

    private static void ParseMediaLevel(SdpMediaDescription m, char type, string value, int number, string line)
    {
        switch (type)
        {
            case 'i': m.Information = Once(m.Information, value, number, line); break;
            case 'c': m.Connections.Add(SdpConnection.TryParse(value, out var c, out var cError) ? c : throw Error(cError, number, line)); break;
            case 'b': m.Bandwidths.Add(SdpBandwidth.TryParse(value, out var b, out var bError) ? b : throw Error(bError, number, line)); break;
            case 'k': m.EncryptionKey = Once(m.EncryptionKey, value, number, line); break;
            case 'v' or 'o' or 's' or 'u' or 'e' or 'p' or 't' or 'r' or 'z':
                throw Error($"{type}= is a session-level line and cannot follow m=", number, line);
            default: throw Error($"unknown line type '{type}' (RFC 8866 §5)", number, line);
        }
    }

    // RFC 8866 §5.14: m=<media> <port>[/<number of ports>] <proto> 1*(SP <fmt>).
    private static SdpMediaDescription ParseMediaLine(string value, int number, string line)
    {
        var f = value.Split(' ');
        if (f.Length < 4) { throw Error("m= needs <media> <port> <proto> and at least one format", number, line); }
        if (!Array.TrueForAll(f, x => SdpText.IsField(x))) { throw Error("m= fields must be separated by single spaces", number, line); }
        var portText = f[1];
        int? portCount = null;
        var slash = portText.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            if (!SdpText.TryParseInt(portText.AsSpan(slash + 1), out var n) || n < 1) { throw Error("m= port count must be a positive number", number, line); }
            portCount = n;
            portText = portText[..slash];
        }
        if (!SdpText.TryParseInt(portText, out var port) || port > 65535) { throw Error("m= port must be 0 to 65535", number, line); }
        return new SdpMediaDescription(f[0], port, f[2], f[3..]) { PortCount = portCount };
    }

    private static string Once(string? existing, string value, int number, string line) =>
        existing is null ? value : throw Error($"a second {line[0]}= line here", number, line);

    private static SdpParseException Error(string reason, int number, string line) => new(reason, number, line);
}
