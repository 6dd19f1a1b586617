using System.Linq.Expressions;
using System.Reflection;
using DnsExpert.Facts;

namespace DnsExpert.Engine.Compilation;

/// <summary>The <see cref="UnknownWhenNullAttribute"/> properties a condition reads on its own pattern's fact.</summary>
internal static class UnknownWhenNullReads
{
    public static IReadOnlyList<string> Of(Expression body, ParameterExpression self)
    {
        var finder = new Finder(self);
        finder.Visit(body);
        return finder.Found;
    }

    private sealed class Finder(ParameterExpression self) : ExpressionVisitor
    {
        public List<string> Found { get; } = [];

        protected override Expression VisitMember(MemberExpression node)
        {
            if (node.Expression == self && node.Member is PropertyInfo property && property.IsDefined(typeof(UnknownWhenNullAttribute), inherit: true))
            {
                Found.Add(property.Name);
            }

            return base.VisitMember(node);
        }
    }
}
