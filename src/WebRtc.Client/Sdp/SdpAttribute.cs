using System.Collections.ObjectModel;

namespace WebRtc.Client.Sdp;

/// <summary>
/// One SDP attribute line, <c>a=name</c> (a flag) or <c>a=name:value</c> (RFC 8866 §5.13).
/// The value is kept exactly as written, leading spaces included (<c>a=msid-semantic: WMS</c>
/// has the value <c>" WMS"</c>), so that a parsed description writes back unchanged.
/// </summary>
public sealed class SdpAttribute : IEquatable<SdpAttribute>
{
    /// <summary>Creates an attribute.</summary>
    /// <param name="name">The attribute name: one or more visible ASCII characters other than <c>:</c>.</param>
    /// <param name="value">The value after the colon (may be empty), or null for a flag attribute.</param>
    /// <exception cref="ArgumentException">The name is empty or holds a space, colon or control character, or the value holds CR, LF or NUL.</exception>
    public SdpAttribute(string name, string? value = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsValidName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid SDP attribute name (RFC 8866 §9: att-field = token).", nameof(name));
        }
        if (value is not null && !IsValidText(value))
        {
            throw new ArgumentException("An SDP attribute value must not contain CR, LF or NUL (RFC 8866 §9: byte-string).", nameof(value));
        }
        Name = name;
        Value = value;
    }

    /// <summary>The attribute name (<c>mid</c>, <c>candidate</c>, <c>rtpmap</c> ...), as written.</summary>
    public string Name { get; }

    /// <summary>The value after the first colon, or null for a flag attribute such as <c>a=rtcp-mux</c>.</summary>
    public string? Value { get; }

    /// <summary>Whether this is a flag attribute (no colon, no value).</summary>
    public bool IsFlag => Value is null;

    /// <summary>Parses the text after <c>a=</c>: <c>name</c> or <c>name:value</c>.</summary>
    /// <param name="text">The attribute text without <c>a=</c>.</param>
    /// <returns>The attribute.</returns>
    /// <exception cref="SdpParseException">The name is empty or malformed, or the text holds CR, LF or NUL.</exception>
    public static SdpAttribute Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var attribute, out var error) ? attribute : throw new SdpParseException(error, 0, "a=" + text);
    }

    internal static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SdpAttribute? attribute,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        attribute = null;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? text : text[..colon];
        var value = colon < 0 ? null : text[(colon + 1)..];
        if (!IsValidName(name))
        {
            error = name.Length == 0 ? "the attribute has no name" : "the attribute name is not a token";
            return false;
        }
        if (value is not null && !IsValidText(value))
        {
            error = "the attribute value holds a control character";
            return false;
        }
        attribute = new SdpAttribute(name, value, validated: true);
        error = null;
        return true;
    }

    // RFC 8866 §9: token-char = %x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 / %x41-5A / %x5E-7E;
    // we accept every visible ASCII character but ':' so that odd real-world names still round-trip.
    internal static bool IsValidName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty) { return false; }
        foreach (var c in name)
        {
            if (c is <= ' ' or > '~' or ':') { return false; }
        }
        return true;
    }

    // RFC 8866 §9: byte-string = 1*(%x01-09/%x0B-0C/%x0E-FF).
    internal static bool IsValidText(ReadOnlySpan<char> text) => text.IndexOfAny('\r', '\n', '\0') < 0;

    private SdpAttribute(string name, string? value, bool validated)
    {
        _ = validated;
        Name = name;
        Value = value;
    }

    /// <summary>The attribute text without <c>a=</c>: <c>name</c> or <c>name:value</c>.</summary>
    /// <returns>The attribute text.</returns>
    public override string ToString() => Value is null ? Name : Name + ":" + Value;

    /// <inheritdoc/>
    public bool Equals(SdpAttribute? other) =>
        other is not null && string.Equals(Name, other.Name, StringComparison.Ordinal) && string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SdpAttribute);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Name), Value is null ? 0 : StringComparer.Ordinal.GetHashCode(Value));
}

/// <summary>
/// The attributes of a session or media section, in the order they are written. Names are
/// matched case-sensitively, as browsers write them (RFC 8866 att-field is a token; every
/// attribute this library reads is lowercase).
/// </summary>
public sealed class SdpAttributeList : Collection<SdpAttribute>
{
    /// <summary>Creates an empty list.</summary>
    public SdpAttributeList()
    {
    }

    /// <summary>Whether an attribute with this name is present.</summary>
    /// <param name="name">The attribute name.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>The value of the first attribute with this name; null when absent or a flag.</summary>
    /// <param name="name">The attribute name.</param>
    /// <returns>The value, or null.</returns>
    public string? GetValue(string name)
    {
        var i = IndexOf(name);
        return i < 0 ? null : Items[i].Value;
    }

    /// <summary>The first attribute with this name, or null.</summary>
    /// <param name="name">The attribute name.</param>
    /// <returns>The attribute, or null.</returns>
    public SdpAttribute? Get(string name)
    {
        var i = IndexOf(name);
        return i < 0 ? null : Items[i];
    }

    /// <summary>The values of every attribute with this name, in order (flags give an empty string).</summary>
    /// <param name="name">The attribute name.</param>
    /// <returns>The values.</returns>
    public IReadOnlyList<string> GetValues(string name)
    {
        List<string>? values = null;
        foreach (var a in Items)
        {
            if (string.Equals(a.Name, name, StringComparison.Ordinal)) { (values ??= []).Add(a.Value ?? string.Empty); }
        }
        return values is null ? [] : values;
    }

    /// <summary>The index of the first attribute with this name, or -1.</summary>
    /// <param name="name">The attribute name.</param>
    /// <returns>The index, or -1.</returns>
    public int IndexOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        for (var i = 0; i < Items.Count; i++)
        {
            if (string.Equals(Items[i].Name, name, StringComparison.Ordinal)) { return i; }
        }
        return -1;
    }

    /// <summary>Appends an attribute.</summary>
    /// <param name="name">The name.</param>
    /// <param name="value">The value, or null for a flag.</param>
    public void Add(string name, string? value = null) => Add(new SdpAttribute(name, value));

    /// <summary>Replaces the first attribute with this name (removing any others), or appends one.</summary>
    /// <param name="name">The name.</param>
    /// <param name="value">The value, or null for a flag.</param>
    public void Set(string name, string? value = null)
    {
        var attribute = new SdpAttribute(name, value);
        var i = IndexOf(name);
        if (i < 0) { Add(attribute); return; }
        this[i] = attribute;
        for (var j = Items.Count - 1; j > i; j--)
        {
            if (string.Equals(Items[j].Name, name, StringComparison.Ordinal)) { RemoveAt(j); }
        }
    }

    /// <summary>Removes every attribute with this name.</summary>
    /// <param name="name">The name.</param>
    /// <returns>How many were removed.</returns>
    public int RemoveAll(string name)
    {
        var removed = 0;
        for (var j = Items.Count - 1; j >= 0; j--)
        {
            if (string.Equals(Items[j].Name, name, StringComparison.Ordinal)) { RemoveAt(j); removed++; }
        }
        return removed;
    }

    /// <inheritdoc/>
    protected override void InsertItem(int index, SdpAttribute item)
    {
        ArgumentNullException.ThrowIfNull(item);
        base.InsertItem(index, item);
    }

    /// <inheritdoc/>
    protected override void SetItem(int index, SdpAttribute item)
    {
        ArgumentNullException.ThrowIfNull(item);
        base.SetItem(index, item);
    }
}
