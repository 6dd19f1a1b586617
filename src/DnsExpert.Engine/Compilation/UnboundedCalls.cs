using System.Linq.Expressions;

namespace DnsExpert.Engine.Compilation;

/// <summary>
/// Methods whose result a rule file could make as large as it likes (<c>PadLeft(100000000)</c>, <c>ToString("D999999999")</c>,
/// a <c>Replace</c> chain that doubles each time). Conditions and templates run for every fact of every diagnosis, so
/// the compiler (and with it <c>dnsexpert rules lint</c> and the loader) rejects them.
/// </summary>
internal static class UnboundedCalls
{
    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        "PadLeft", "PadRight", "Replace", "Insert", "Repeat", "Join", "Format", "Aggregate", "Range",
    };

    /// <summary>The first such call in <paramref name="expression"/>, or null.</summary>
    public static MethodCallExpression? Find(Expression expression)
    {
        var finder = new Finder();
        finder.Visit(expression);
        return finder.Found;
    }

    public static string Reason(MethodCallExpression call) =>
        $"'{call.Method.Name}' is not allowed here: its result can grow without bound (rules may only read and compare fact values)";

    private sealed class Finder : ExpressionVisitor
    {
        public MethodCallExpression? Found { get; private set; }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            // ToString() is fine; a format argument ("D999999999", "{0,100000000}") sizes the result.
            if (Found is null && (Names.Contains(node.Method.Name) || (node.Method.Name == "ToString" && node.Arguments.Count > 0)))
            {
                Found = node;
            }

            return base.VisitMethodCall(node);
        }
    }
}
