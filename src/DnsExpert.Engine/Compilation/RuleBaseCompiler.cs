using System.Linq.Dynamic.Core;
using System.Linq.Dynamic.Core.CustomTypeProviders;
using System.Linq.Dynamic.Core.Exceptions;
using System.Linq.Expressions;
using System.Reflection;
using DnsExpert.Engine.RuleFiles;
using DnsExpert.Facts;
using DnsExpert.Readers.Parsing;
using NRules;
using NRules.RuleModel;
using NRules.RuleModel.Builders;

namespace DnsExpert.Engine.Compilation;

/// <summary>
/// Translates rule documents into NRules rules with <see cref="RuleBuilder"/>. Conditions and template holes are
/// Dynamic LINQ expressions over the pattern names; only members of the fact types (and the safe predefined
/// types Dynamic LINQ allows) can be used, so a rule file cannot reach anything else.
/// </summary>
public static class RuleBaseCompiler
{
    /// <summary>Value types of the facts whose methods rules may call (<c>Version.IsBefore("1.7.0")</c>); nothing else is added.</summary>
    private static readonly Type[] CallableTypes = [typeof(ReleaseVersion), typeof(KernelVersion)];

    private static readonly ParsingConfig Parsing = CreateParsingConfig();

    /// <summary>Parses kept for the process: identical conditions of different rules, and every unchanged one on a reload.</summary>
    private static readonly ParsedExpressions Parsed = new(Parsing);

    /// <summary>The name finding templates and checks read <see cref="Commands.KnownValues"/> under.</summary>
    public const string KnownName = "known";

    private static ParsingConfig CreateParsingConfig()
    {
        var config = new ParsingConfig
        {
            AllowNewToEvaluateAnyType = false,
            DisallowNewKeyword = true,
            ResolveTypesBySimpleName = false,
            EvaluateGroupByAtDatabase = false,
            DisableMemberAccessToIndexAccessorFallback = true,
        };
        config.CustomTypeProvider = new CallableTypeProvider(CallableTypes);
        return config;
    }

    /// <summary>
    /// <see cref="CallableTypes"/> and nothing else, as Dynamic LINQ's default provider gave them, without its scan of
    /// every type of every loaded assembly for <c>[DynamicLinqType]</c> (none here): in a one-shot CLI run, with the web
    /// host's assemblies loaded, that scan took about a tenth of the main thread's time.
    /// </summary>
    private sealed class CallableTypeProvider(Type[] types) : IDynamicLinqCustomTypeProvider
    {
        private readonly HashSet<Type> _types = [.. types];

        public HashSet<Type> GetCustomTypes() => _types;

        public Dictionary<Type, List<MethodInfo>> GetExtensionMethods() => [];

        public Type? ResolveType(string typeName) => _types.FirstOrDefault(t => t.FullName == typeName);

        public Type? ResolveTypeBySimpleName(string simpleTypeName) => _types.FirstOrDefault(t => t.Name == simpleTypeName);
    }

    /// <summary>
    /// The first use in the process of Dynamic LINQ's parser and of NRules' compiler, on a thread of its own
    /// (<see cref="RuleBaseLoader.WarmUp"/>): their one-time set-up (Dynamic LINQ's keyword and predefined-type tables,
    /// its method finder, NRules' network builder) then runs beside the rule files' read, not on one core at the start
    /// of the rules' compile while the others wait for it. Once per process; it changes nothing the compile reads.
    /// </summary>
    internal static Task WarmUp() => WarmedUp.Value;

    private static readonly Lazy<Task> WarmedUp = new(() => Task.Run(WarmUpNow));

    private static void WarmUpNow()
    {
        try
        {
            var pod = Expression.Parameter(typeof(CoreDnsPod), "pod");
            var condition = DynamicExpressionParser.ParseLambda(Parsing, [pod], typeof(bool), "Phase != \"Running\" || !Ready || Restarts >= 5", []);
            var builder = new RuleBuilder();
            builder.Name("warm-up");
            builder.LeftHandSide().Pattern(typeof(CoreDnsPod), "pod").Condition(condition);
            var context = Expression.Parameter(typeof(IContext), "ctx");
            builder.RightHandSide().Action(Expression.Lambda(Expression.Empty(), context, pod));
            new NRules.RuleCompiler { ExpressionCompiler = new CompiledOnFirstCall.ForNRules() }.Compile([builder.Build()]);
        }
        catch (Exception ex) when (ex is ParseException or InvalidOperationException or ArgumentException or RuleCompilationException)
        {
            // Only a head start: the compile itself meets and reports whatever went wrong here.
        }
    }

    /// <summary>Compiles rule documents into a rule base; throws <see cref="RuleFileException"/> with every error found.</summary>
    public static RuleBase Compile(IReadOnlyList<RuleDocument> documents)
    {
        var errors = new List<RuleFileError>();
        var compiled = new List<CompiledRule>();
        foreach (var duplicate in documents.GroupBy(d => d.Id, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            foreach (var d in duplicate.Skip(1))
            {
                errors.Add(new RuleFileError(d.File, d.Line, 0, $"rule id '{d.Id}' is already defined in {duplicate.First().File}"));
            }
        }

        CheckExplains(documents, errors);
        var ruleIds = documents.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);

        // Each document compiles alone (its own patterns, templates and errors), so they compile on every core; rules
        // and errors are then taken in the documents' order, as one loop would give them.
        var rules = new CompiledRule?[documents.Count];
        var ruleErrors = new List<RuleFileError>[documents.Count];
        Parallel.For(0, documents.Count, i =>
        {
            ruleErrors[i] = [];
            rules[i] = CompileRule(documents[i], ruleIds, ruleErrors[i]);
        });
        for (var i = 0; i < documents.Count; i++)
        {
            errors.AddRange(ruleErrors[i]);
            if (rules[i] is { } rule)
            {
                compiled.Add(rule);
            }
        }

        if (errors.Count > 0)
        {
            throw new RuleFileException(errors);
        }

        ISessionFactory factory;
        try
        {
            factory = new NRules.RuleCompiler { ExpressionCompiler = new CompiledOnFirstCall.ForNRules() }.Compile(compiled.SelectMany(r => r.Cases).Select(c => c.Definition));
        }
        catch (RuleCompilationException ex)
        {
            var rule = compiled.FirstOrDefault(r => r.Id == ex.RuleName.Split('#')[0]);
            throw new RuleFileException([new RuleFileError(rule?.Document.File ?? "rules", rule?.Document.Line ?? 0, 0, "cannot compile: " + (ex.InnerException?.Message ?? ex.Message))]);
        }

        return new RuleBase(factory, compiled);
    }

    /// <summary>
    /// Every id a rule or one of its cases says it explains names another rule of the base, and no chain of explanations
    /// loops (through any case: which cases match differs from one diagnosis to the next).
    /// </summary>
    private static void CheckExplains(IReadOnlyList<RuleDocument> documents, List<RuleFileError> errors)
    {
        var byId = documents.GroupBy(d => d.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var doc in documents)
        {
            foreach (var reference in doc.AnyCaseExplains)
            {
                if (reference.Id == doc.Id)
                {
                    errors.Add(new RuleFileError(doc.File, reference.Line, reference.Column, $"explains: a rule cannot explain itself ('{reference.Id}')"));
                }
                else if (!byId.ContainsKey(reference.Id))
                {
                    errors.Add(new RuleFileError(doc.File, reference.Line, reference.Column, $"explains: no rule has the id '{reference.Id}'"));
                }
                else if (Explains(byId, reference.Id, doc.Id, [], out var path))
                {
                    errors.Add(new RuleFileError(doc.File, reference.Line, reference.Column,
                        $"explains: '{reference.Id}' already explains '{doc.Id}' ({string.Join(" -> ", path)}): a cause cannot be its own effect"));
                }
            }
        }
    }

    /// <summary>Does <paramref name="from"/> explain <paramref name="to"/>, directly or through other rules?</summary>
    private static bool Explains(Dictionary<string, RuleDocument> byId, string from, string to, HashSet<string> seen, out List<string> path)
    {
        path = [from];
        if (!seen.Add(from) || !byId.TryGetValue(from, out var doc))
        {
            return false;
        }

        foreach (var next in doc.AnyCaseExplains.Select(r => r.Id).Distinct(StringComparer.Ordinal))
        {
            if (next == to)
            {
                path.Add(to);
                return true;
            }

            if (Explains(byId, next, to, seen, out var rest))
            {
                path.AddRange(rest);
                return true;
            }
        }

        return false;
    }

    private static CompiledRule? CompileRule(RuleDocument doc, IReadOnlySet<string> ruleIds, List<RuleFileError> errors)
    {
        var before = errors.Count;
        var factTypes = new List<string>();
        var cases = new List<CompiledCase>();
        var definitions = new List<Func<CompiledRule, NRules.RuleModel.IRuleDefinition>>();
        for (var i = 0; i < doc.Cases.Count; i++)
        {
            if (CompileCase(doc, i, factTypes, ruleIds, errors) is { } compiled)
            {
                cases.Add(compiled.Case);
                definitions.Add(compiled.Build);
            }
        }

        if (errors.Count != before)
        {
            return null;
        }

        var known = new[] { Expression.Parameter(typeof(Commands.KnownValues), KnownName) };
        var checks = doc.Collect
            .Select(c => new CompiledCheck(CompileTemplate(doc, c.Command, known, errors, HoleEncoding.ShellWord), c.Why, c.Cost, c.Facts)
            {
                On = c.On,
                Otherwise = c is { Needs: { } tool, Otherwise: { } otherwise } ? (tool, CompileTemplate(doc, otherwise, known, errors, HoleEncoding.ShellWord)) : null,
                Share = c.Share,
            })
            .ToList();
        if (errors.Count != before)
        {
            return null;
        }

        var rule = new CompiledRule(doc, factTypes, cases) { Checks = checks };
        for (var i = 0; i < cases.Count; i++)
        {
            cases[i].Definition = definitions[i](rule);
        }

        return rule;
    }

    /// <summary>Compiles one case: its patterns into an NRules left-hand side, its templates over its named patterns.</summary>
    private static (CompiledCase Case, Func<CompiledRule, NRules.RuleModel.IRuleDefinition> Build)? CompileCase(
        RuleDocument doc, int caseIndex, List<string> factTypes, IReadOnlySet<string> ruleIds, List<RuleFileError> errors)
    {
        var before = errors.Count;
        var ruleCase = doc.Cases[caseIndex];
        var builder = new RuleBuilder();
        builder.Name(doc.Cases.Count == 1 ? doc.Id : $"{doc.Id}#{caseIndex + 1}");
        builder.Description(doc.Title);
        builder.Priority(doc.Priority);
        builder.Tag(doc.SeverityTag());

        var lhs = builder.LeftHandSide();
        var when = new CaseConditions();
        var index = 0;
        foreach (var pattern in ruleCase.When)
        {
            CompilePattern(doc, pattern, ++index, lhs, when, factTypes, ruleIds, errors);
        }

        CheckThresholds(doc, ruleCase, errors);
        if (when.Matched.Count == 0 && errors.Count == before)
        {
            errors.Add(new RuleFileError(doc.File, ruleCase.Line, 0, "a rule needs at least one matched pattern (one with 'fact' and 'as', not only 'not' or 'exists')"));
        }

        if (errors.Count != before)
        {
            // Templates name the patterns; with a broken pattern they would only repeat the same error.
            return null;
        }

        var compiled = CompileFinding(doc, ruleCase, caseIndex, when, errors);
        if (errors.Count != before)
        {
            return null;
        }

        // The action records the match; findings are rendered after Fire(), outside the session.
        var matched = when.Matched;
        NRules.RuleModel.IRuleDefinition Build(CompiledRule rule)
        {
            var context = Expression.Parameter(typeof(IContext), "ctx");
            var body = Expression.Call(RuleActions.RecordMethod, context, Expression.Constant(rule), Expression.Constant(compiled),
                Expression.NewArrayInit(typeof(object), matched.Select(p => Expression.Convert(p, typeof(object)))));
            builder.RightHandSide().Action(Expression.Lambda(body, [context, .. matched]));
            return builder.Build();
        }

        return (compiled, Build);
    }

    /// <summary>What a case's patterns compiled to: the matched patterns' parameters in order, their tests, the unknown-when-null reads.</summary>
    private sealed class CaseConditions
    {
        public List<ParameterExpression> Matched { get; } = [];

        public List<string> UnknownWhenNull { get; } = [];

        public List<CompiledPattern> Patterns { get; } = [];
    }

    /// <summary>One pattern of a case: its NRules pattern with its conditions, and the tests the report reads (<see cref="CompiledPattern"/>).</summary>
    private static void CompilePattern(RuleDocument doc, PatternDocument pattern, int index, NRules.RuleModel.Builders.GroupBuilder lhs, CaseConditions when,
        List<string> factTypes, IReadOnlySet<string> ruleIds, List<RuleFileError> errors)
    {
        var matched = when.Matched;
        if (!FactTypes.TryGet(pattern.FactType, out var type))
        {
            errors.Add(new RuleFileError(doc.File, pattern.Line, 0,
                $"unknown fact type '{pattern.FactType}' (known: {string.Join(", ", FactTypes.All.Keys.Order(StringComparer.Ordinal))})"));
            return;
        }

        if (!factTypes.Contains(pattern.FactType))
        {
            factTypes.Add(pattern.FactType);
        }

        var name = pattern.Name ?? $"_{pattern.Mode.ToString().ToLowerInvariant()}{index}";
        if (string.Equals(name, KnownName, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(new RuleFileError(doc.File, pattern.Line, 0, $"pattern name '{name}' is taken: templates read the cluster's known names (the cluster DNS namespace, selector, workload) as '{KnownName}'"));
            return;
        }

        if (matched.Any(p => p.Name == name))
        {
            errors.Add(new RuleFileError(doc.File, pattern.Line, 0, $"pattern name '{name}' is used twice in this rule"));
            return;
        }

        var self = Expression.Parameter(type, name);
        var tests = new List<Func<object, bool>>();
        var identity = new List<Func<object, bool>>();
        var unknown = new List<Func<object, bool>?>();
        var patternUnknown = new List<string>();
        PatternBuilder patternBuilder = pattern.Mode switch
        {
            PatternMode.Not => lhs.Not().Pattern(type, name),
            PatternMode.Exists => lhs.Exists().Pattern(type, name),
            _ => lhs.Pattern(type, name),
        };

        foreach (var condition in pattern.Conditions)
        {
            if (ParseCondition(doc, condition, matched, self, ruleIds, errors) is { } lambda)
            {
                patternBuilder.Condition(lambda);
                if (pattern.Mode != PatternMode.Not)
                {
                    var reads = UnknownWhenNullReads.Of(lambda.Body, self).Select(p => $"{pattern.FactType}.{p}").ToList();
                    when.UnknownWhenNull.AddRange(reads);
                    patternUnknown.AddRange(reads);
                    OwnTests.Add(lambda.Body, self, tests, identity, unknown);
                }
            }
        }

        if (pattern.Mode == PatternMode.Match)
        {
            matched.Add(self);
        }

        if (pattern.Mode != PatternMode.Not)
        {
            when.Patterns.Add(new CompiledPattern(pattern.FactType, tests, identity, patternUnknown.Distinct(StringComparer.Ordinal).ToList()) { Unknown = unknown });
        }
    }

    /// <summary>A threshold may not take the name of a pattern or of a property of a pattern's fact: it would hide it.</summary>
    private static void CheckThresholds(RuleDocument doc, RuleCaseDocument ruleCase, List<RuleFileError> errors)
    {
        foreach (var threshold in doc.Thresholds)
        {
            if (ruleCase.When.FirstOrDefault(p => p.Name == threshold.Name || (FactTypes.TryGet(p.FactType, out var t) && t.GetProperty(threshold.Name) is not null)) is { } clash)
            {
                errors.Add(new RuleFileError(doc.File, threshold.Line, threshold.Column,
                    $"threshold '{threshold.Name}' has the name of {(clash.Name == threshold.Name ? "a pattern" : "a property of " + clash.FactType)}: choose another name"));
            }
        }
    }

    /// <summary>The finding a case makes: severity, what it explains, and its templates over the matched patterns and <c>known</c>.</summary>
    private static CompiledCase CompileFinding(RuleDocument doc, RuleCaseDocument ruleCase, int caseIndex, CaseConditions when, List<RuleFileError> errors)
    {
        // Finding templates read the case's patterns and `known`, the cluster's own names as the facts show them (the
        // cluster DNS namespace, selector, workload, Corefile ConfigMap; kubeadm's while unknown), last in the scope.
        var scope = (ParameterExpression[])[.. when.Matched, Expression.Parameter(typeof(Commands.KnownValues), KnownName)];
        var finding = doc.Finding;
        var cause = ruleCase.Cause ?? finding.Cause!;
        var evidence = ruleCase.Evidence.Count > 0 ? ruleCase.Evidence : finding.Evidence;
        return new CompiledCase
        {
            Index = caseIndex,
            Severity = ruleCase.Severity ?? doc.Severity,
            FullStrength = (ruleCase.Severity ?? doc.Severity) == doc.Severity,
            Explains = (ruleCase.Explains ?? doc.Explains).Select(r => r.Id).Distinct(StringComparer.Ordinal).ToList(),
            // Relation facts join two objects; they add no evidence of their own (FindingRanking).
            Specificity = when.Matched.Count(p => !Attribute.IsDefined(p.Type, typeof(RelationFactAttribute))),
            UnknownWhenNull = when.UnknownWhenNull.Distinct(StringComparer.Ordinal).ToList(),
            Patterns = when.Patterns,
            Cause = CompileTemplate(doc, cause, scope, errors),
            Evidence = CompileEvidence(doc, evidence, scope, errors),
            Remediation = (ruleCase.Remediation ?? finding.Remediation)
                .Select(r => new CompiledRemediation(CompileTemplate(doc, r.Summary, scope, errors),
                    r.Command is null ? null : CompileTemplate(doc, r.Command, scope, errors, HoleEncoding.ShellWord),
                    r.Snippet is null ? null : CompileTemplate(doc, r.Snippet, scope, errors),
                    r.When is null ? null : CompileGuard(doc, r.When, scope, errors)))
                .ToList(),
            Ticket = (ruleCase.NoTicket ? null : ruleCase.Ticket ?? finding.Ticket) is { } t
                ? (CompileTemplate(doc, t.Name, scope, errors), CompileTemplate(doc, t.Rcode, scope, errors),
                    t.Time is null ? null : CompileTemplate(doc, t.Time, scope, errors),
                    t.Pod is null ? null : CompileTemplate(doc, t.Pod, scope, errors))
                : null,
        };
    }

    /// <summary>A loop, not LINQ over the pairs: a value-tuple instantiation of LINQ's iterators is not in any ReadyToRun image, so it was jitted in every process.</summary>
    private static List<(CompiledTemplate Source, CompiledTemplate Detail)> CompileEvidence(RuleDocument doc, IReadOnlyList<EvidenceTemplateDocument> evidence, ParameterExpression[] scope, List<RuleFileError> errors)
    {
        var compiled = new List<(CompiledTemplate Source, CompiledTemplate Detail)>(evidence.Count);
        foreach (var e in evidence)
        {
            compiled.Add((CompileTemplate(doc, e.Source, scope, errors), CompileTemplate(doc, e.Detail, scope, errors)));
        }

        return compiled;
    }

    private static LambdaExpression? ParseCondition(RuleDocument doc, ExpressionText condition, IReadOnlyList<ParameterExpression> earlier, ParameterExpression self, IReadOnlySet<string> ruleIds, List<RuleFileError> errors)
    {
        if (string.IsNullOrWhiteSpace(condition.Text))
        {
            errors.Add(new RuleFileError(doc.File, condition.Line, condition.Column, "empty condition"));
            return null;
        }

        LambdaExpression parsed;
        try
        {
            // The pattern's own fact is the lambda's only parameter, so its members can be named bare (`Name == "log"`);
            // earlier patterns are reachable by name (`log.ServerIndex == server.Index`) as external symbols.
            var externals = Externals(doc, earlier);
            parsed = Parsed.Parse([self], typeof(bool), condition.Text, externals);
        }
        catch (ParseException ex)
        {
            errors.Add(Locate(doc, condition.Text, condition.Line, condition.Column, ex.Position, $"{condition.Field}: {ex.Message}"));
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or NotSupportedException)
        {
            errors.Add(new RuleFileError(doc.File, condition.Line, condition.Column, $"{condition.Field}: {ex.Message}"));
            return null;
        }

        if (Refused(doc, parsed.Body, condition.Text, 0, condition.Text, condition.Line, condition.Column, condition.Field, errors, ruleIds))
        {
            return null;
        }

        // NRules wires each lambda parameter to the pattern of the same name: keep only the ones the condition uses,
        // so a single-fact condition stays a cheap alpha test instead of a join.
        var used = ParameterCollector.Collect(parsed.Body);
        var parameters = earlier.Append(self).Where(used.Contains).ToList();
        if (!parameters.Contains(self))
        {
            if (parameters.Count > 0)
            {
                errors.Add(new RuleFileError(doc.File, condition.Line, condition.Column,
                    $"{condition.Field}: the condition of '{self.Name}' does not use '{self.Name}'; put it on the pattern it tests"));
                return null;
            }

            parameters.Add(self);
        }

        return Expression.Lambda(parsed.Body, parameters);
    }

    /// <summary>What an expression may name besides its own fact: earlier patterns, and the rule's thresholds as constants.</summary>
    private static Dictionary<string, object> Externals(RuleDocument doc, IReadOnlyList<ParameterExpression> earlier)
    {
        var externals = earlier.ToDictionary(p => p.Name!, object (p) => p, StringComparer.Ordinal);
        foreach (var threshold in doc.Thresholds)
        {
            externals.TryAdd(threshold.Name, threshold.Constant);
        }

        return externals;
    }

    /// <summary>A remediation's <c>when</c>: a condition over the case's named patterns, compiled once.</summary>
    private static Func<object[], bool>? CompileGuard(RuleDocument doc, ExpressionText guard, ParameterExpression[] scope, List<RuleFileError> errors)
    {
        try
        {
            var lambda = Parsed.Parse(scope, typeof(bool), guard.Text, Externals(doc, []));
            if (Refused(doc, lambda.Body, guard.Text, 0, guard.Text, guard.Line, guard.Column, guard.Field, errors))
            {
                return null;
            }

            var bound = Bind(lambda, scope);
            return facts =>
            {
                try
                {
                    return bound(facts) is true;
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A guard that cannot be evaluated (a null, an overflow) does not hold; it never fails the diagnosis.
                    return false;
                }
            };
        }
        catch (ParseException ex)
        {
            errors.Add(Locate(doc, guard.Text, guard.Line, guard.Column, ex.Position, $"{guard.Field}: {ex.Message}"));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or NotSupportedException)
        {
            errors.Add(new RuleFileError(doc.File, guard.Line, guard.Column, $"{guard.Field}: {ex.Message}"));
        }

        return null;
    }

    private static CompiledTemplate CompileTemplate(RuleDocument doc, ExpressionTemplate template, ParameterExpression[] scope, List<RuleFileError> errors,
        HoleEncoding encoding = HoleEncoding.Text)
    {
        var parts = new List<object>();
        var text = template.Text;
        var last = 0;
        foreach (var (start, end) in Holes(text))
        {
            if (start > last)
            {
                parts.Add(text[last..start]);
            }

            last = end + 2;
            var at = start + 2;
            var expression = text[at..end];
            try
            {
                var lambda = MemberPaths.TryBuild(expression, scope, Parsing, out var path)
                    ? path
                    : Parsed.Parse(scope, typeof(object), expression, Externals(doc, []));
                if (Refused(doc, lambda.Body, text, at, expression, template.Line, template.Column, template.Field, errors))
                {
                    continue;
                }

                parts.Add(encoding == HoleEncoding.ShellWord
                    ? CommandHoles.Of(expression.Trim(), lambda.Body, Bind(lambda, scope))
                    : new TemplateHole(expression.Trim(), Bind(lambda, scope)));
            }
            catch (ParseException ex)
            {
                errors.Add(Locate(doc, text, template.Line, template.Column, at + ex.Position, $"{template.Field}: {ex.Message}"));
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or NotSupportedException)
            {
                errors.Add(new RuleFileError(doc.File, template.Line, template.Column, $"{template.Field}: {ex.Message}"));
            }
        }

        if (last < text.Length)
        {
            parts.Add(text[last..]);
        }

        var leftover = parts.OfType<string>().FirstOrDefault(p => p.Contains("{{", StringComparison.Ordinal) || p.Contains("}}", StringComparison.Ordinal));
        if (leftover is not null)
        {
            errors.Add(new RuleFileError(doc.File, template.Line, template.Column, $"{template.Field}: unbalanced '{{{{' or '}}}}' in template"));
        }

        return new CompiledTemplate(parts, encoding);
    }

    /// <summary>
    /// Where each <c>{{ expression }}</c> of a template starts (its <c>{{</c>) and ends (the first <c>}}</c> after it).
    /// Scanned, not matched: the non-backtracking hole regex took longer to build than all the scanning it did.
    /// </summary>
    private static IEnumerable<(int Start, int End)> Holes(string text)
    {
        var open = text.IndexOf("{{", StringComparison.Ordinal);
        while (open >= 0)
        {
            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                yield break;
            }

            yield return (open, close);
            open = text.IndexOf("{{", close + 2, StringComparison.Ordinal);
        }
    }

    /// <summary>Turns <c>(a, b) =&gt; expr</c> into <c>facts =&gt; expr((A)facts[0], (B)facts[1])</c>, compiled once, on its first call.</summary>
    private static Func<object[], object?> Bind(LambdaExpression lambda, ParameterExpression[] scope)
    {
        var facts = Expression.Parameter(typeof(object[]), "facts");
        var args = scope.Select((p, i) => Expression.Convert(Expression.ArrayIndex(facts, Expression.Constant(i)), p.Type));
        var call = Expression.Invoke(lambda, args);
        return CompiledOnFirstCall.Of(Expression.Lambda<Func<object[], object?>>(Expression.Convert(call, typeof(object)), facts));
    }

    /// <summary>
    /// Refuses what parses but must not load: a call whose result can grow without bound (<see cref="UnboundedCalls"/>),
    /// and a literal its fact property never holds (<see cref="ClosedValueLiterals"/>), placed at the literal.
    /// <paramref name="expression"/> starts at <paramref name="start"/> in <paramref name="text"/>, the scalar at
    /// <paramref name="line"/> and <paramref name="column"/>.
    /// </summary>
    private static bool Refused(RuleDocument doc, Expression body, string text, int start, string expression, int line, int column, string field, List<RuleFileError> errors, IReadOnlySet<string>? ruleIds = null)
    {
        var before = errors.Count;
        if (UnboundedCalls.Find(body) is { } call)
        {
            errors.Add(Locate(doc, text, line, column, start, $"{field}: {UnboundedCalls.Reason(call)}"));
        }

        foreach (var mismatch in ClosedValueLiterals.Find(body, ruleIds))
        {
            var at = expression.IndexOf('"' + mismatch.Literal + '"', StringComparison.Ordinal);
            errors.Add(Locate(doc, text, line, column, start + Math.Max(at, 0), $"{field}: {mismatch.Reason}"));
        }

        return errors.Count != before;
    }

    private static RuleFileError Locate(RuleDocument doc, string text, int line, int column, int position, string reason)
    {
        position = Math.Clamp(position, 0, text.Length);
        var before = text.AsSpan(0, position);
        var newlines = before.Count('\n');
        if (newlines == 0)
        {
            return new RuleFileError(doc.File, line, column + position, reason);
        }

        // A block scalar: the expression's own line, counted from the scalar's first content line.
        var lastNewline = before.LastIndexOf('\n');
        return new RuleFileError(doc.File, line + newlines, position - lastNewline, reason);
    }

    private static string SeverityTag(this RuleDocument doc) => "severity:" + doc.Severity.ToString().ToLowerInvariant();

    private sealed class ParameterCollector : ExpressionVisitor
    {
        private readonly HashSet<ParameterExpression> _found = [];

        public static HashSet<ParameterExpression> Collect(Expression expression)
        {
            var collector = new ParameterCollector();
            collector.Visit(expression);
            return collector._found;
        }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            _found.Add(node);
            return base.VisitParameter(node);
        }
    }
}
