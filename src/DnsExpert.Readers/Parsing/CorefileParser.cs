using System.Globalization;
using System.Text;

namespace DnsExpert.Readers.Parsing;

/// <summary>A zone a server block serves: <c>dns://cluster.local.:53</c>.</summary>
public sealed record CorefileZone(string Scheme, string Name, int Port);

/// <summary>A plugin line (directive) with its arguments and its nested block.</summary>
public sealed record CorefileDirective(string Name, IReadOnlyList<string> Arguments, int Line, IReadOnlyList<CorefileDirective> Block)
{
    /// <summary>The imported file the line is in (<c>custom/log.override</c>), or null for the Corefile itself.</summary>
    public string? File { get; init; }

    /// <summary>The line as a person reads it: name and arguments.</summary>
    public string Text => Arguments.Count == 0 ? Name : Name + " " + string.Join(' ', Arguments);
}

/// <summary>A server block: the zones it serves and its plugins, in order.</summary>
public sealed record CorefileServerBlock(IReadOnlyList<CorefileZone> Zones, int Line, IReadOnlyList<CorefileDirective> Directives)
{
    /// <summary>The imported file the block is in (<c>custom/corp.server</c>), or null for the Corefile itself.</summary>
    public string? File { get; init; }
}

/// <summary>The files an <c>import</c> pattern names (<c>custom/*.override</c>), each with its name and text; empty when none is known.</summary>
public delegate IReadOnlyList<(string File, string Text)> CorefileImports(string pattern);

public sealed record Corefile(IReadOnlyList<CorefileServerBlock> Servers, IReadOnlyList<ParseDiagnostic> Diagnostics)
{
    public static Corefile Empty { get; } = new([], []);
}

/// <summary>
/// Parses a Corefile (Caddyfile syntax as CoreDNS uses it): server blocks with keys, one directive per line,
/// nested blocks, comments, quoted arguments, snippets and imports. Never throws: what it cannot read becomes a diagnostic.
/// </summary>
public static class CorefileParser
{
    private sealed record Token(string Text, int Line, bool Quoted)
    {
        public bool Is(string structural) => !Quoted && Text == structural;
    }

    /// <summary>Nesting deeper than this is not a real Corefile; stop rather than recurse without bound.</summary>
    private const int MaxDepth = 32;

    /// <param name="text">The Corefile.</param>
    /// <param name="imports">
    /// The files its <c>import</c> lines may name (a mounted ConfigMap such as AKS's <c>coredns-custom</c>): their server
    /// blocks and lines are read in place, marked with their file. An import no file matches stays an <c>import</c>
    /// directive: its content is not known.
    /// </param>
    public static Corefile Parse(string? text, CorefileImports? imports = null) => Parse(text, imports, null, 0);

    private static Corefile Parse(string? text, CorefileImports? imports, string? file, int depth)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Corefile.Empty;
        }

        var diagnostics = new List<ParseDiagnostic>();
        var tokens = Tokenize(text, diagnostics);
        var servers = new List<CorefileServerBlock>();
        var snippets = new Dictionary<string, IReadOnlyList<CorefileDirective>>(StringComparer.Ordinal);
        var i = 0;
        while (i < tokens.Count)
        {
            var first = tokens[i];
            if (first.Is("}"))
            {
                diagnostics.Add(new ParseDiagnostic(first.Line, "unexpected '}' outside a server block"));
                i++;
                continue;
            }

            if (!first.Quoted && first.Text == "import")
            {
                // A top-level import pulls in the server blocks of other files.
                var pattern = i + 1 < tokens.Count && tokens[i + 1].Line == first.Line ? tokens[i + 1].Text : "";
                i = SkipLine(tokens, i);
                foreach (var (name, content) in depth < 4 && imports is not null && pattern.Length > 0 ? imports(pattern) : [])
                {
                    var imported = Parse(content, imports, name, depth + 1);
                    servers.AddRange(imported.Servers);
                    diagnostics.AddRange(imported.Diagnostics.Select(d => d with { Message = $"{name}: {d.Message}" }));
                }

                continue;
            }

            // Server keys run up to the opening brace.
            var keys = new List<Token>();
            while (i < tokens.Count && !tokens[i].Is("{") && !tokens[i].Is("}"))
            {
                keys.Add(tokens[i++]);
            }

            if (i >= tokens.Count || !tokens[i].Is("{"))
            {
                diagnostics.Add(new ParseDiagnostic(first.Line, $"server block '{Short(string.Join(' ', keys.Select(k => k.Text)))}' has no opening '{{'"));
                continue;
            }

            i++; // '{'
            var directives = ParseBlock(tokens, ref i, first.Line, 1, diagnostics);
            if (keys.Count == 1 && keys[0].Text.StartsWith('(') && keys[0].Text.EndsWith(')'))
            {
                snippets[keys[0].Text[1..^1]] = directives; // a snippet definition, not a server
                continue;
            }

            var zones = keys.SelectMany(k => k.Text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .Select(k => ParseZone(k, first.Line, diagnostics))
                .ToList();
            servers.Add(new CorefileServerBlock(zones, first.Line, directives) { File = file });
        }

        // Snippets may be defined anywhere at the top level; imports of them are expanded in place (their lines keep
        // their own line numbers). An import of anything else (a file or glob) stays an `import` directive: its content
        // is not in this text.
        var expand = snippets.Count > 0 || imports is not null;
        return new Corefile(
            expand ? servers.Select(s => s with { Directives = Expand(s.Directives, snippets, imports, 0, diagnostics) }).ToList() : servers,
            diagnostics);
    }

    /// <summary>The lines of an imported file (<c>*.override</c>): directives without a server block of their own.</summary>
    private static List<CorefileDirective> ParseDirectives(string name, string text, List<ParseDiagnostic> diagnostics)
    {
        var local = new List<ParseDiagnostic>();
        var tokens = Tokenize(text, local);
        tokens.Add(new Token("}", tokens.Count > 0 ? tokens[^1].Line + 1 : 1, Quoted: false));
        var i = 0;
        var directives = ParseBlock(tokens, ref i, 1, 1, local);
        if (i < tokens.Count)
        {
            local.Add(new ParseDiagnostic(tokens[i - 1].Line, "unexpected '}'"));
        }

        diagnostics.AddRange(local.Select(d => d with { Message = $"{name}: {d.Message}" }));
        return directives.Select(d => WithFile(d, name)).ToList();
    }

    private static CorefileDirective WithFile(CorefileDirective directive, string file) =>
        directive with { File = file, Block = directive.Block.Select(b => WithFile(b, file)).ToList() };

    private static List<CorefileDirective> Expand(
        IReadOnlyList<CorefileDirective> directives, Dictionary<string, IReadOnlyList<CorefileDirective>> snippets, CorefileImports? imports, int depth,
        List<ParseDiagnostic> diagnostics)
    {
        var expanded = new List<CorefileDirective>(directives.Count);
        foreach (var directive in directives)
        {
            if (directive is { Name: "import", Arguments.Count: 1 } && snippets.TryGetValue(directive.Arguments[0], out var snippet))
            {
                if (depth >= 8)
                {
                    diagnostics.Add(new ParseDiagnostic(directive.Line, $"snippet '{Short(directive.Arguments[0])}' imports itself (directly or through others): not expanded"));
                    continue;
                }

                expanded.AddRange(Expand(snippet, snippets, imports, depth + 1, diagnostics));
            }
            else if (directive is { Name: "import", Arguments.Count: 1 } && depth < 8 && imports?.Invoke(directive.Arguments[0]) is { Count: > 0 } files)
            {
                foreach (var (name, content) in files)
                {
                    expanded.AddRange(Expand(ParseDirectives(name, content, diagnostics), snippets, imports, depth + 1, diagnostics));
                }
            }
            else
            {
                expanded.Add(directive.Block.Count == 0 ? directive : directive with { Block = Expand(directive.Block, snippets, imports, depth, diagnostics) });
            }
        }

        return expanded;
    }

    private static List<CorefileDirective> ParseBlock(List<Token> tokens, ref int i, int openLine, int depth, List<ParseDiagnostic> diagnostics)
    {
        var directives = new List<CorefileDirective>();
        while (true)
        {
            if (i >= tokens.Count)
            {
                diagnostics.Add(new ParseDiagnostic(openLine, "block opened here is never closed with '}'"));
                return directives;
            }

            var token = tokens[i];
            if (token.Is("}"))
            {
                i++;
                return directives;
            }

            if (token.Is("{"))
            {
                diagnostics.Add(new ParseDiagnostic(token.Line, "'{' without a directive before it"));
                i++;
                if (depth < MaxDepth)
                {
                    ParseBlock(tokens, ref i, token.Line, depth + 1, diagnostics);
                }

                continue;
            }

            i++;
            var args = new List<string>();
            while (i < tokens.Count && tokens[i].Line == token.Line && !tokens[i].Is("{") && !tokens[i].Is("}"))
            {
                args.Add(tokens[i++].Text);
            }

            IReadOnlyList<CorefileDirective> block = [];
            if (i < tokens.Count && tokens[i].Is("{") && tokens[i].Line == token.Line)
            {
                i++;
                if (depth >= MaxDepth)
                {
                    diagnostics.Add(new ParseDiagnostic(token.Line, $"blocks nested deeper than {MaxDepth}: the rest is not read"));
                    i = tokens.Count;
                    return directives;
                }

                block = ParseBlock(tokens, ref i, token.Line, depth + 1, diagnostics);
            }

            directives.Add(new CorefileDirective(token.Text, args, token.Line, block));
        }
    }

    /// <summary><c>dns://.:53</c>, <c>cluster.local:53</c>, <c>.</c>, <c>:53</c>, <c>tls://.:853</c>, <c>10.0.0.0/8</c>.</summary>
    private static CorefileZone ParseZone(string key, int line, List<ParseDiagnostic> diagnostics)
    {
        var scheme = "dns";
        var rest = key;
        var sep = key.IndexOf("://", StringComparison.Ordinal);
        if (sep >= 0)
        {
            scheme = key[..sep].ToLowerInvariant();
            rest = key[(sep + 3)..];
        }

        var port = scheme switch { "tls" => 853, "https" => 443, "grpc" => 443, _ => 53 };
        var colon = rest.LastIndexOf(':');
        if (colon >= 0 && !rest.StartsWith('['))
        {
            var portText = rest[(colon + 1)..];
            if (int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and <= 65535)
            {
                port = p;
            }
            else
            {
                diagnostics.Add(new ParseDiagnostic(line, $"server key '{Short(key)}' has an invalid port"));
            }

            rest = rest[..colon];
        }

        var name = rest.Length == 0 || rest == "." ? "." : rest.ToLowerInvariant().TrimEnd('.') + ".";
        return new CorefileZone(scheme, name, port);
    }

    private static int SkipLine(List<Token> tokens, int i)
    {
        var line = tokens[i].Line;
        while (i < tokens.Count && tokens[i].Line == line)
        {
            i++;
        }

        return i;
    }

    private static List<Token> Tokenize(string text, List<ParseDiagnostic> diagnostics)
    {
        var tokens = new List<Token>();
        var line = 1;
        var i = 0;
        var word = new StringBuilder();
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
                i++;
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (c == '#')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }

                continue;
            }

            if (c is '"' or '`')
            {
                var quote = c;
                var startLine = line;
                word.Clear();
                i++;
                while (i < text.Length && text[i] != quote)
                {
                    if (text[i] == '\\' && quote == '"' && i + 1 < text.Length && text[i + 1] == '"')
                    {
                        i++;
                    }

                    if (text[i] == '\n')
                    {
                        line++;
                    }

                    word.Append(text[i++]);
                }

                if (i >= text.Length)
                {
                    diagnostics.Add(new ParseDiagnostic(startLine, "unterminated quoted string"));
                }

                i++;
                tokens.Add(new Token(word.ToString(), startLine, Quoted: true));
                continue;
            }

            word.Clear();
            while (i < text.Length && !char.IsWhiteSpace(text[i]))
            {
                word.Append(text[i++]);
            }

            var w = word.ToString();

            // "example.org{" without a space: split the brace off, unless it is a {$ENV} / {%ENV%} placeholder.
            if (w.Length > 1 && w.EndsWith('{') && !w.Contains("{$", StringComparison.Ordinal) && !w.Contains("{%", StringComparison.Ordinal))
            {
                tokens.Add(new Token(w[..^1], line, false));
                tokens.Add(new Token("{", line, false));
            }
            else
            {
                tokens.Add(new Token(w, line, false));
            }
        }

        return tokens;
    }

    private static string Short(string s) => s.Length <= 60 ? s : s[..60] + "…";
}
