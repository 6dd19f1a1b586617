using DnsExpert.Engine.Results;
using DnsExpert.Engine.RuleFiles;
using DnsExpert.Facts;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DnsExpert.Engine.Compilation;

/// <summary>
/// Reads one rule file (YAML) into a <see cref="RuleDocument"/>, keeping the line of every element
/// so that a mistake is reported as <c>file:line: reason</c>. Unknown keys are errors: a typo must not
/// silently turn a condition off.
/// </summary>
public static class RuleFileReader
{
    // The keys of each mapping of a rule file; rules/rule.schema.json lists the same (a test keeps them equal).
    internal static readonly string[] TopKeys = ["id", "title", "severity", "description", "guide", "priority", "explainsFailure", "explains", "thresholds", "routing", "when", "cases", "finding", "collect"];
    internal static readonly string[] CaseKeys = ["when", "cause", "evidence", "severity", "ticket", "remediation", "explains"];
    internal static readonly string[] PatternKeys = ["fact", "as", "where", "not", "exists"];
    internal static readonly string[] FactPatternKeys = ["fact", "as", "where"];
    internal static readonly string[] FindingKeys = ["cause", "evidence", "remediation", "ticket"];
    internal static readonly string[] RoutingKeys = ["frequency", "nameKind", "symptomClass", "listedUnder"];
    internal static readonly string[] EvidenceKeys = ["source", "detail"];
    internal static readonly string[] RemediationKeys = ["summary", "command", "snippet", "when"];
    internal static readonly string[] TicketKeys = ["name", "rcode", "time", "pod"];
    internal static readonly string[] CollectKeys = ["command", "why", "cost", "facts", "on", "needs", "otherwise", "share"];

    // Routing names the values of the facts it is matched against (ReportedSymptom, QueriedName): the same sets.
    public static readonly IReadOnlySet<string> Frequencies = ValuesOf(typeof(SymptomFrequencies), except: SymptomFrequencies.Unknown);
    public static readonly IReadOnlySet<string> NameKinds = ValuesOf(typeof(Facts.NameKinds));
    public static readonly IReadOnlySet<string> SymptomClasses = ValuesOf(typeof(Facts.SymptomClasses));

    /// <summary>The rows of the guide's symptom table: how often it fails, and which kind of name fails.</summary>
    public static readonly IReadOnlySet<string> Rows = Frequencies.Union(NameKinds, StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);

    /// <summary>Parses a rule file. Returns the rule, or null with at least one error.</summary>
    public static RuleDocument? Read(string file, string text, List<RuleFileError> errors)
    {
        var reader = new Reader(file, errors);
        YamlStream stream = new();
        var parser = new Parser(new StringReader(text));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            errors.Add(new RuleFileError(file, (int)ex.Start.Line, (int)ex.Start.Column, "YAML syntax: " + FirstLine(ex.Message)));
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet reports some malformed flow collections this way; the last event read is where it broke.
            var mark = parser.Current?.End;
            errors.Add(new RuleFileError(file, (int)(mark?.Line ?? 1), (int)(mark?.Column ?? 0), "YAML syntax: malformed flow collection or unterminated bracket"));
            return null;
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            errors.Add(new RuleFileError(file, 1, 0, "a rule file holds exactly one YAML mapping (id, title, severity, description, when, finding)"));
            return null;
        }

        var before = errors.Count;
        var doc = reader.ReadRule(root);
        return errors.Count == before ? doc : null;
    }

    private static HashSet<string> ValuesOf(Type values, string? except = null) =>
        new(OneOfAttribute.ValuesOf(values).Where(v => v != except), StringComparer.Ordinal);

    private static string FirstLine(string message)
    {
        var i = message.IndexOf('\n', StringComparison.Ordinal);
        return i < 0 ? message : message[..i];
    }

    private sealed class Reader(string file, List<RuleFileError> errors)
    {
        public RuleDocument? ReadRule(YamlMappingNode root)
        {
            CheckKeys(root, TopKeys, "rule");
            var id = RequiredScalar(root, "id");
            if (id is not null && !IsRuleId(id.Value!))
            {
                Error(id, $"rule id '{id.Value}' must be lower-case kebab-case (letters, digits, '-', '.')");
            }

            var title = RequiredScalar(root, "title");
            var description = RequiredScalar(root, "description");
            var severityNode = RequiredScalar(root, "severity");
            var severity = severityNode is null ? FindingSeverity.Warning : ReadSeverity(severityNode) ?? FindingSeverity.Warning;

            var priority = 0;
            if (Optional(root, "priority") is { } p)
            {
                if (p is not YamlScalarNode ps || !int.TryParse(ps.Value, System.Globalization.CultureInfo.InvariantCulture, out priority))
                {
                    Error(p, "priority must be an integer (higher fires first)");
                }
            }

            var explains = severity != FindingSeverity.Info;
            if (Optional(root, "explainsFailure") is { } e)
            {
                if (e is not YamlScalarNode es || !bool.TryParse(es.Value, out explains))
                {
                    Error(e, "explainsFailure must be true or false");
                }
            }

            var routing = Optional(root, "routing") is { } r ? ReadRouting(r) : RuleRouting.None;
            var explainsRules = Optional(root, "explains") is { } x ? ReadRuleReferences(x, "explains") : [];
            var thresholds = Optional(root, "thresholds") is { } th ? ReadThresholds(th) : [];
            var finding = ReadFinding(Optional(root, "finding"), root);
            var cases = ReadCases(root, finding, severity);
            var collect = Optional(root, "collect") is { } cl ? ReadCollect(cl) : [];

            if (id is null || title is null || description is null || severityNode is null || finding is null)
            {
                return null;
            }

            return new RuleDocument
            {
                File = file,
                Line = (int)root.Start.Line,
                Id = id.Value!,
                Title = title.Value!.Trim(),
                Severity = severity,
                Description = description.Value!.Trim(),
                Guide = (Optional(root, "guide") as YamlScalarNode)?.Value,
                Priority = priority,
                ExplainsFailure = explains,
                Routing = routing,
                Explains = explainsRules,
                Thresholds = thresholds,
                Cases = cases,
                Finding = finding,
                Collect = collect,
            };
        }

        private FindingSeverity? ReadSeverity(YamlScalarNode node)
        {
            switch (node.Value)
            {
                case FindingSeverities.Critical: return FindingSeverity.Critical;
                case FindingSeverities.Warning: return FindingSeverity.Warning;
                case FindingSeverities.Info: return FindingSeverity.Info;
                default:
                    Error(node, $"severity '{node.Value}' is not one of {string.Join(", ", OneOfAttribute.ValuesOf(typeof(FindingSeverities)))}");
                    return null;
            }
        }

        private RuleRouting ReadRouting(YamlNode node)
        {
            if (node is not YamlMappingNode map)
            {
                Error(node, "routing must be a mapping of frequency, nameKind, symptomClass lists");
                return RuleRouting.None;
            }

            CheckKeys(map, RoutingKeys, "routing");
            var routing = new RuleRouting(
                ReadEnumList(map, "frequency", Frequencies),
                ReadEnumList(map, "nameKind", NameKinds),
                ReadEnumList(map, "symptomClass", SymptomClasses));
            var listed = ReadEnumList(map, "listedUnder", Rows);
            if (Optional(map, "listedUnder") is YamlSequenceNode rows)
            {
                // A row of the guide's table the rule is listed under is one it routes on: the ordering would otherwise
                // put first a cause the routing excludes.
                foreach (var row in rows.OfType<YamlScalarNode>().Where(r => r.Value is { } v && Rows.Contains(v)))
                {
                    var (key, routed) = Frequencies.Contains(row.Value!) ? ("frequency", routing.Frequency) : ("nameKind", routing.NameKind);
                    if (!routed.Contains(row.Value!, StringComparer.Ordinal))
                    {
                        Error(row, $"routing.listedUnder: '{row.Value}' is not in routing.{key}: list it there too, or drop it here");
                    }
                }
            }

            return routing with { ListedUnder = listed };
        }

        /// <summary><c>thresholds:</c> a mapping of names (identifiers) to numbers.</summary>
        private List<RuleThreshold> ReadThresholds(YamlNode node)
        {
            var list = new List<RuleThreshold>();
            if (node is not YamlMappingNode map)
            {
                Error(node, "thresholds must be a mapping of names to numbers (persistentMinFailures: 3)");
                return list;
            }

            foreach (var (key, value) in map.Children)
            {
                var name = (key as YamlScalarNode)?.Value ?? "";
                if (!IsIdentifier(name))
                {
                    Error(key, $"threshold name '{name}' must be an identifier (letters, digits, '_', not starting with a digit)");
                }
                else if (value is not YamlScalarNode v
                    || !double.TryParse(v.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number)
                    || !double.IsFinite(number))
                {
                    Error(value, $"threshold '{name}' must be a number");
                }
                else
                {
                    list.Add(new RuleThreshold(name, number, (int)key.Start.Line, (int)key.Start.Column));
                }
            }

            return list;
        }

        /// <summary>A list of rule ids; whether they exist is checked against the whole rule base by the compiler.</summary>
        private List<RuleReference> ReadRuleReferences(YamlNode node, string key)
        {
            var list = new List<RuleReference>();
            if (node is not YamlSequenceNode seq)
            {
                Error(node, $"{key} must be a list of rule ids");
                return list;
            }

            foreach (var item in seq)
            {
                if (item is YamlScalarNode { Value: { } v } && IsRuleId(v))
                {
                    list.Add(new RuleReference(v, (int)item.Start.Line, (int)item.Start.Column));
                }
                else
                {
                    Error(item, $"{key}: '{(item as YamlScalarNode)?.Value}' is not a rule id");
                }
            }

            return list;
        }

        private List<string> ReadEnumList(YamlMappingNode map, string key, IReadOnlySet<string> allowed)
        {
            var list = new List<string>();
            if (Optional(map, key) is not { } node)
            {
                return list;
            }

            if (node is not YamlSequenceNode seq)
            {
                Error(node, $"routing.{key} must be a list");
                return list;
            }

            foreach (var item in seq)
            {
                if (item is YamlScalarNode s && s.Value is { } v && allowed.Contains(v))
                {
                    list.Add(v);
                }
                else
                {
                    Error(item, $"routing.{key}: '{(item as YamlScalarNode)?.Value}' is not one of {string.Join(", ", allowed)}");
                }
            }

            return list;
        }

        /// <summary>Either a top-level <c>when</c> (one case) or <c>cases</c>, each with its own <c>when</c> and evidence.</summary>
        private List<RuleCaseDocument> ReadCases(YamlMappingNode root, FindingTemplateDocument? finding, FindingSeverity ruleSeverity)
        {
            var when = Optional(root, "when");
            var casesNode = Optional(root, "cases");
            if (when is not null && casesNode is not null)
            {
                Error(casesNode, "a rule has either 'when' (one case) or 'cases' (alternatives), not both");
                return [];
            }

            if (casesNode is null)
            {
                return [OneCase(root, when, finding)];
            }

            var cases = new List<RuleCaseDocument>();
            if (casesNode is not YamlSequenceNode seq || seq.Children.Count == 0)
            {
                Error(casesNode, "'cases' must be a non-empty list of {when, evidence, cause}");
                return cases;
            }

            foreach (var item in seq)
            {
                if (item is not YamlMappingNode map)
                {
                    Error(item, "each case is a mapping with 'when' and optional 'cause' and 'evidence'");
                    continue;
                }

                cases.Add(ReadCase(map, finding, ruleSeverity));
            }

            return cases;
        }

        /// <summary>The one case of a rule with a top-level <c>when</c>: the finding then says the cause, evidence and remediation.</summary>
        private RuleCaseDocument OneCase(YamlMappingNode root, YamlNode? when, FindingTemplateDocument? finding)
        {
            if (finding is { Cause: null })
            {
                Error(Optional(root, "finding") ?? root, "missing required key 'cause'");
            }

            if (finding is { Evidence.Count: 0 })
            {
                Error(Optional(root, "finding") ?? root, "'evidence' must be a non-empty list");
            }

            if (finding is { Remediation.Count: 0 })
            {
                Error(Optional(root, "finding") ?? root, "'remediation' must be a non-empty list");
            }

            return new RuleCaseDocument((int)(when ?? root).Start.Line, ReadWhen(when, root), null, []);
        }

        /// <summary>One of <c>cases</c>: its <c>when</c>, and what it says in place of the finding's (cause, evidence, severity, ticket, remediation, explains).</summary>
        private RuleCaseDocument ReadCase(YamlMappingNode map, FindingTemplateDocument? finding, FindingSeverity ruleSeverity)
        {
            CheckKeys(map, CaseKeys, "case");
            var cause = Template(Optional(map, "cause") as YamlScalarNode, "case.cause");
            var evidence = Optional(map, "evidence") is { } e ? ReadEvidence(e) : [];
            if (cause is null && finding is { Cause: null })
            {
                Error(map, "this case has no 'cause' and the finding has none either");
            }

            if (evidence.Count == 0 && finding is { Evidence.Count: 0 })
            {
                Error(map, "this case has no 'evidence' and the finding has none either");
            }

            var caseSeverity = CaseSeverity(map, ruleSeverity);

            var noTicket = Optional(map, "ticket") is YamlScalarNode { Value: "none" };
            var ticket = !noTicket && Optional(map, "ticket") is { } t ? ReadTicket(t) : null;
            var remediation = Optional(map, "remediation") is { } rm ? ReadRemediation(rm) : null;
            if (remediation is null && finding is { Remediation.Count: 0 })
            {
                Error(map, "this case has no 'remediation' and the finding has none either");
            }

            return new RuleCaseDocument((int)map.Start.Line, ReadWhen(Optional(map, "when"), map), cause, evidence, caseSeverity)
            {
                Ticket = ticket,
                NoTicket = noTicket,
                Remediation = remediation,
                Explains = Optional(map, "explains") is { } x ? ReadRuleReferences(x, "case.explains") : null,
            };
        }

        /// <summary>A case's own <c>severity</c>, when given: lower than the rule's or equal, never higher.</summary>
        private FindingSeverity? CaseSeverity(YamlMappingNode map, FindingSeverity ruleSeverity)
        {
            if (Optional(map, "severity") is not { } s)
            {
                return null;
            }

            var caseSeverity = s is YamlScalarNode scalar ? ReadSeverity(scalar) : null;
            if (caseSeverity > ruleSeverity)
            {
                Error(s, "a case may lower the rule's severity, not raise it: the rule's severity is its strongest case's");
            }
            else if (s is not YamlScalarNode)
            {
                Error(s, "a case's severity is one of critical, warning, info");
            }

            return caseSeverity;
        }

        private List<PatternDocument> ReadWhen(YamlNode? node, YamlNode parent)
        {
            var patterns = new List<PatternDocument>();
            if (node is not YamlSequenceNode seq || seq.Children.Count == 0)
            {
                Error(node ?? parent, "'when' must be a non-empty list of fact patterns");
                return patterns;
            }

            foreach (var item in seq)
            {
                if (item is not YamlMappingNode map)
                {
                    Error(item, "each entry of 'when' is a mapping: {fact, as, where} or {not: {...}} or {exists: {...}}");
                    continue;
                }

                CheckKeys(map, PatternKeys, "pattern");
                if (Optional(map, "not") is { } notNode)
                {
                    if (ReadPattern(notNode, PatternMode.Not) is { } pat)
                    {
                        patterns.Add(pat);
                    }
                }
                else if (Optional(map, "exists") is { } existsNode)
                {
                    if (ReadPattern(existsNode, PatternMode.Exists) is { } pat)
                    {
                        patterns.Add(pat);
                    }
                }
                else if (ReadPattern(map, PatternMode.Match) is { } pat)
                {
                    patterns.Add(pat);
                }
            }

            return patterns;
        }

        private PatternDocument? ReadPattern(YamlNode node, PatternMode mode)
        {
            if (node is not YamlMappingNode map)
            {
                Error(node, "a pattern is a mapping with 'fact' and optional 'as' and 'where'");
                return null;
            }

            CheckKeys(map, FactPatternKeys, "pattern");
            var fact = RequiredScalar(map, "fact");
            var name = Optional(map, "as") as YamlScalarNode;
            if (mode == PatternMode.Match && name is null)
            {
                Error(map, "a matched pattern needs a name: 'as: <name>' (used by later conditions and the finding)");
            }

            if (name?.Value is { } n && !IsIdentifier(n))
            {
                Error(name, $"pattern name '{n}' must be an identifier (letters, digits, '_', not starting with a digit)");
            }

            var conditions = new List<ExpressionText>();
            switch (Optional(map, "where"))
            {
                case null:
                    break;
                case YamlScalarNode s:
                    conditions.Add(new ExpressionText(s.Value ?? "", (int)s.Start.Line, (int)s.Start.Column, "where"));
                    break;
                case YamlSequenceNode list:
                    foreach (var c in list)
                    {
                        if (c is YamlScalarNode cs)
                        {
                            conditions.Add(new ExpressionText(cs.Value ?? "", (int)cs.Start.Line, (int)cs.Start.Column, "where"));
                        }
                        else
                        {
                            Error(c, "each condition of 'where' is an expression string");
                        }
                    }

                    break;
                case var other:
                    Error(other, "'where' is an expression or a list of expressions (all must hold)");
                    break;
            }

            return fact?.Value is null ? null : new PatternDocument(mode, fact.Value, name?.Value, conditions, (int)map.Start.Line);
        }

        private FindingTemplateDocument? ReadFinding(YamlNode? node, YamlNode parent)
        {
            if (node is null && Optional((YamlMappingNode)parent, "cases") is not null)
            {
                // Every case says all: checked with the cases.
                return new FindingTemplateDocument(null, [], [], null);
            }

            if (node is not YamlMappingNode map)
            {
                Error(node ?? parent, "'finding' must be a mapping with cause, evidence and remediation");
                return null;
            }

            CheckKeys(map, FindingKeys, "finding");
            var cause = Template(Optional(map, "cause") as YamlScalarNode, "finding.cause");
            var evidence = Optional(map, "evidence") is { } ev ? ReadEvidence(ev) : [];

            // Optional here: a rule whose every case has its own remediation needs none (checked with the cases).
            var remediation = Optional(map, "remediation") is { } rm ? ReadRemediation(rm) : [];
            var ticket = Optional(map, "ticket") is { } t ? ReadTicket(t) : null;
            return new FindingTemplateDocument(cause, evidence, remediation, ticket);
        }

        /// <summary>
        /// The entries of a list of mappings (<paramref name="name"/>: remediation, collect, evidence), each with its keys
        /// checked; an empty list, or an entry that is not a mapping, is an error naming its line.
        /// </summary>
        private IEnumerable<YamlMappingNode> Entries(YamlNode node, string name, string entryShape, string[] keys)
        {
            if (node is not YamlSequenceNode seq || seq.Children.Count == 0)
            {
                Error(node, $"'{name}' must be a non-empty list");
                yield break;
            }

            foreach (var item in seq)
            {
                if (item is not YamlMappingNode map)
                {
                    Error(item, entryShape);
                    continue;
                }

                CheckKeys(map, keys, name);
                yield return map;
            }
        }

        private List<RemediationTemplateDocument> ReadRemediation(YamlNode node)
        {
            var remediation = new List<RemediationTemplateDocument>();
            foreach (var rm in Entries(node, "remediation", "each remediation entry is a mapping with 'summary' and optional 'command', 'snippet' and 'when'", RemediationKeys))
            {
                var summary = Template(RequiredScalar(rm, "summary"), "remediation.summary");
                ExpressionText? when = null;
                if (Optional(rm, "when") is { } w)
                {
                    if (w is YamlScalarNode ws)
                    {
                        when = new ExpressionText(ws.Value ?? "", (int)ws.Start.Line, (int)ws.Start.Column, "remediation.when");
                    }
                    else
                    {
                        Error(w, "a remediation's 'when' is one expression over the case's named patterns");
                    }
                }

                if (summary is not null)
                {
                    remediation.Add(new RemediationTemplateDocument(
                        summary,
                        Template(Optional(rm, "command") as YamlScalarNode, "remediation.command"),
                        Template(Optional(rm, "snippet") as YamlScalarNode, "remediation.snippet")) { When = when });
                }
            }

            return remediation;
        }

        /// <summary><c>collect:</c> a list of commands (templates over <c>known</c>) with why, cost and the fact types they give.</summary>
        private List<CollectDocument> ReadCollect(YamlNode node)
        {
            var collect = new List<CollectDocument>();
            foreach (var cm in Entries(node, "collect", "each collect entry is a mapping with 'command', 'why' and optional 'cost' and 'facts'", CollectKeys))
            {
                var command = Template(RequiredScalar(cm, "command"), "collect.command");
                var why = RequiredScalar(cm, "why");
                var cost = CollectDocument.DefaultCost;
                if (Optional(cm, "cost") is { } c && (c is not YamlScalarNode cs || !int.TryParse(cs.Value, out cost) || cost is < 1 or > 9))
                {
                    Error(c, "a collect entry's cost is an integer from 1 (cheapest) to 9 (the last resort)");
                }

                var facts = new List<string>();
                if (Optional(cm, "facts") is { } f)
                {
                    if (f is not YamlSequenceNode fs)
                    {
                        Error(f, "a collect entry's facts is a list of fact types");
                    }
                    else
                    {
                        foreach (var fact in fs)
                        {
                            if (fact is YamlScalarNode { Value: { } name } && FactTypes.TryGet(name, out _))
                            {
                                facts.Add(name);
                            }
                            else if (fact is YamlScalarNode { Value: { } dotted } && dotted.Split('.') is [var type, var property]
                                && FactTypes.TryGet(type, out var t) && t.GetProperty(property) is { } p && p.IsDefined(typeof(UnknownWhenNullAttribute), inherit: true))
                            {
                                // A property unknown until this command's output is read (a version, a CPU use).
                                facts.Add(dotted);
                            }
                            else
                            {
                                Error(fact, $"unknown fact type '{(fact as YamlScalarNode)?.Value}' in collect.facts (a fact type, or Type.Property of a property marked [UnknownWhenNull])");
                            }
                        }
                    }
                }

                var on = OptionalScalar(cm, "on");
                if (on is not null && !CollectDocument.Places.Contains(on.Value ?? ""))
                {
                    Error(on, $"a collect entry's 'on' is one of {string.Join(", ", CollectDocument.Places)}: where the command runs");
                }
                else if (on is not null && command is not null && (command.Text.StartsWith("kubectl ", StringComparison.Ordinal)
                    || (command.Text.IndexOfAny(['|', ';', '&', '>', '<']) >= 0 && !IsNodeScript(command.Text))))
                {
                    // kubectl debug node/NAME -- chroot /host COMMAND runs one command on the node, not a pipeline.
                    Error(on, "a collect entry with 'on' is one command run on the node: no kubectl, no |, ;, &, < or > outside one sh -c '...' script with no value filled in");
                }

                var needs = OptionalScalar(cm, "needs");
                var otherwise = Template(OptionalScalar(cm, "otherwise"), "collect.otherwise");
                if ((needs is null) != (otherwise is null))
                {
                    Error(needs ?? (YamlNode)cm, "a collect entry's 'needs' (a tool of the pod's image) and 'otherwise' (the command without it) come together");
                }

                var share = OptionalScalar(cm, "share");
                if (share is not null && facts.Count > 0)
                {
                    Error(share, "a collect entry with 'share' leaves a file DnsExpert does not read: it promises no facts");
                }

                if (command is not null && why?.Value is { } w)
                {
                    collect.Add(new CollectDocument(command, w.Trim(), cost, facts, (int)cm.Start.Line)
                    {
                        On = on?.Value, Needs = needs?.Value?.Trim(), Otherwise = otherwise, Share = share?.Value?.Trim(),
                    });
                }
            }

            return collect;
        }

        private TicketTemplateDocument? ReadTicket(YamlNode node)
        {
            if (node is not YamlMappingNode tm)
            {
                Error(node, "'ticket' is a mapping with name, rcode, time and pod templates (or, in a case, 'none')");
                return null;
            }

            CheckKeys(tm, TicketKeys, "ticket");
            var name = Template(RequiredScalar(tm, "name"), "ticket.name");
            var rcode = Template(RequiredScalar(tm, "rcode"), "ticket.rcode");
            return name is null || rcode is null
                ? null
                : new TicketTemplateDocument(name, rcode, Template(Optional(tm, "time") as YamlScalarNode, "ticket.time"), Template(Optional(tm, "pod") as YamlScalarNode, "ticket.pod"));
        }

        private List<EvidenceTemplateDocument> ReadEvidence(YamlNode node)
        {
            var evidence = new List<EvidenceTemplateDocument>();
            foreach (var em in Entries(node, "evidence", "each evidence entry is a mapping with 'source' and 'detail'", EvidenceKeys))
            {
                var source = Template(RequiredScalar(em, "source"), "evidence.source");
                var detail = Template(RequiredScalar(em, "detail"), "evidence.detail");
                if (source is not null && detail is not null)
                {
                    evidence.Add(new EvidenceTemplateDocument(source, detail));
                }
            }

            return evidence;
        }

        private static ExpressionTemplate? Template(YamlScalarNode? node, string field) =>
            node?.Value is null ? null : new ExpressionTemplate(node.Value, (int)node.Start.Line, (int)node.Start.Column, field);

        private void CheckKeys(YamlMappingNode map, string[] allowed, string what)
        {
            foreach (var key in map.Children.Keys)
            {
                if (key is YamlScalarNode k && !allowed.Contains(k.Value))
                {
                    Error(key, $"unknown {what} key '{k.Value}' (expected one of: {string.Join(", ", allowed)})");
                }
            }
        }

        private static YamlNode? Optional(YamlMappingNode map, string key) =>
            map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

        /// <summary>An optional key whose value is one non-empty scalar; an error otherwise.</summary>
        private YamlScalarNode? OptionalScalar(YamlMappingNode map, string key)
        {
            var node = Optional(map, key);
            if (node is null)
            {
                return null;
            }

            if (node is YamlScalarNode s && !string.IsNullOrWhiteSpace(s.Value))
            {
                return s;
            }

            Error(node, $"'{key}' is a non-empty text");
            return null;
        }

        private YamlScalarNode? RequiredScalar(YamlMappingNode map, string key)
        {
            var node = Optional(map, key);
            if (node is YamlScalarNode s && !string.IsNullOrWhiteSpace(s.Value))
            {
                return s;
            }

            Error(node ?? map, node is null ? $"missing required key '{key}'" : $"'{key}' must be a non-empty text");
            return null;
        }

        private void Error(YamlNode node, string reason) =>
            errors.Add(new RuleFileError(file, (int)node.Start.Line, (int)node.Start.Column, reason));

        private static bool IsRuleId(string id) =>
            id.Length is > 0 and <= 80 && char.IsAsciiLetterLower(id[0]) && id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.');

        private static bool IsIdentifier(string name) =>
            name.Length is > 0 and <= 40 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
    }

    /// <summary>
    /// <c>sh -c 'SCRIPT'</c>, the script one single-quoted word with no value filled in but the known values that are
    /// never a placeholder and only characters the shell takes literally there
    /// (<see cref="Commands.NodeScriptValueAttribute"/>: <c>{{ known.CoreDnsNodeInterface }}</c>): the node's own shell
    /// runs it whole (<c>ethtool -S ens5; sleep 60; ethtool -S ens5</c>), so its <c>;</c> and <c>|</c> never reach the
    /// workstation's shell.
    /// </summary>
    private static bool IsNodeScript(string text)
    {
        foreach (var name in NodeScriptValues)
        {
            text = text.Replace("{{ known." + name + " }}", "x", StringComparison.Ordinal);
        }

        return text.StartsWith("sh -c '", StringComparison.Ordinal) && text.Length > "sh -c ''".Length && text.EndsWith('\'')
            && text["sh -c '".Length..^1].IndexOf('\'', StringComparison.Ordinal) < 0 && !text.Contains("{{", StringComparison.Ordinal);
    }

    /// <summary>The known values a node script may name (<see cref="Commands.NodeScriptValueAttribute"/>).</summary>
    private static readonly string[] NodeScriptValues =
        [.. typeof(Commands.KnownValues).GetProperties().Where(p => Attribute.IsDefined(p, typeof(Commands.NodeScriptValueAttribute))).Select(p => p.Name)];
}
