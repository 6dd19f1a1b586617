using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace DnsExpert.Api.Chat;

/// <summary>
/// The parts of a Teams outgoing webhook's message (a Bot Framework <c>message</c> activity) that DnsExpert reads: its
/// id and time (for replays), who sent it from which tenant, and the command its text holds once the webhook's own
/// mention is gone.
/// </summary>
public sealed record TeamsActivity(string Type, string Id, DateTimeOffset? Timestamp, string Tenant, string Sender, string Command)
{
    /// <summary>The activity in <paramref name="body"/>, or null when it is not a JSON object.</summary>
    public static TeamsActivity? Read(ReadOnlySpan<byte> body)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 32 });
            if (!JsonDocument.TryParseValue(ref reader, out var parsed))
            {
                return null;
            }

            document = parsed;
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var timestamp = String(root, "timestamp") is { Length: > 0 } time
                && DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : (DateTimeOffset?)null;
            var tenant = String(root, "channelData", "tenant", "id") ?? String(root, "conversation", "tenantId") ?? "";
            var sender = String(root, "from", "aadObjectId") ?? String(root, "from", "id") ?? "";
            return new TeamsActivity(String(root, "type") ?? "", String(root, "id") ?? "", timestamp, tenant, sender,
                CommandText(String(root, "text") ?? "", BotMentions(root)));
        }
    }

    /// <summary>
    /// The command in a message's text: the webhook's own mentions (<c>&lt;at&gt;Name&lt;/at&gt;</c> at the start, or the
    /// text of a bot's mention entity anywhere) gone, another mention kept as its name, other tags dropped (a line
    /// break is a space), character references decoded and every run of whitespace one space. One pass, linear.
    /// </summary>
    public static string CommandText(string text, IReadOnlyCollection<string> botMentions)
    {
        var plain = new StringBuilder(text.Length);
        var leading = true;
        // The next '>' and the next "</at>" at or after i, each searched again only once i has passed it: one pass.
        var nextGreater = new Next(text, ">");
        var nextClose = new Next(text, "</at>");
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '<' && TagStarts(text, i) && nextGreater.From(i + 1) is var greater and >= 0)
            {
                var end = greater + 1;
                if (string.Compare(text, i, "<at>", 0, 4, StringComparison.OrdinalIgnoreCase) == 0
                    && nextClose.From(i) is var close and >= 0)
                {
                    var mention = text[i..(close + 5)];
                    if (!leading && !botMentions.Contains(mention))
                    {
                        plain.Append(text, i + 4, close - i - 4);
                    }

                    i = close + 5;
                    continue;
                }

                plain.Append(' ');
                i = end;
                continue;
            }

            leading &= char.IsWhiteSpace(text[i]);
            plain.Append(text[i]);
            i++;
        }

        var decoded = WebUtility.HtmlDecode(plain.ToString());
        var words = new StringBuilder(decoded.Length);
        foreach (var c in decoded)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                if (words.Length > 0 && words[^1] != ' ')
                {
                    words.Append(' ');
                }
            }
            else
            {
                words.Append(c);
            }
        }

        return words.ToString().Trim();
    }

    /// <summary>True when a tag may start at <paramref name="start"/>: <c>&lt;</c> then a letter, <c>/</c> or <c>!</c>.</summary>
    private static bool TagStarts(string text, int start) =>
        start + 1 < text.Length && (char.IsAsciiLetter(text[start + 1]) || text[start + 1] is '/' or '!');

    /// <summary>The next occurrence of a string at or after a position that only grows: searched again only when passed.</summary>
    private struct Next(string text, string value)
    {
        private int _found = -2;

        /// <summary>The index of the first occurrence at or after <paramref name="position"/>, or -1.</summary>
        public int From(int position)
        {
            if (_found == -2 || (_found >= 0 && _found < position))
            {
                _found = text.IndexOf(value, position, StringComparison.OrdinalIgnoreCase);
            }

            return _found;
        }
    }

    /// <summary>The texts of the mention entities of bots (ids <c>28:…</c>): the outgoing webhook is one.</summary>
    private static HashSet<string> BotMentions(JsonElement root)
    {
        var mentions = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (root.TryGetProperty("entities", out var entities) && entities.ValueKind == JsonValueKind.Array)
        {
            foreach (var entity in entities.EnumerateArray())
            {
                if (String(entity, "type") == "mention" && String(entity, "mentioned", "id") is { } id
                    && id.StartsWith("28:", StringComparison.Ordinal) && String(entity, "text") is { Length: > 0 } text)
                {
                    mentions.Add(text);
                }
            }
        }

        return mentions;
    }

    private static string? String(JsonElement element, params ReadOnlySpan<string> path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
            {
                return null;
            }
        }

        return element.ValueKind == JsonValueKind.String ? element.GetString() : null;
    }
}
