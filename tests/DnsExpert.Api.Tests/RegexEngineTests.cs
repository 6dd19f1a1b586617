using System.Reflection;
using System.Text.RegularExpressions;

namespace DnsExpert.Api.Tests;

/// <summary>
/// Every regular expression of the service runs on the non-backtracking engine, linear in its input, and without a
/// match timeout: a timeout would make a result depend on the machine's load (a line read as a query when idle is
/// <c>Other</c> under load), and a backtracking pattern makes one hostile line cost seconds.
/// </summary>
public sealed class RegexEngineTests
{
    private static readonly Assembly[] Assemblies =
    [
        typeof(Readers.Parsing.CoreDnsLogParser).Assembly,
        typeof(Engine.Sessions.RuleEngine).Assembly,
        typeof(Collectors.Dump.ClusterInfoDump).Assembly,
        typeof(Hosting.JsonBody).Assembly,
        typeof(Diagnosis.DiagnosisService).Assembly,
    ];

    public static TheoryData<string> Patterns()
    {
        var data = new TheoryData<string>();
        foreach (var method in Methods())
        {
            data.Add($"{method.DeclaringType!.FullName}.{method.Name}");
        }

        return data;
    }

    private static IEnumerable<MethodInfo> Methods() =>
        Assemblies.SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttribute<GeneratedRegexAttribute>() is not null);

    [Fact]
    public void The_service_has_its_patterns_where_this_test_looks() =>
        Assert.True(Methods().Count() > 40, $"found only {Methods().Count()} [GeneratedRegex] methods");

    [Theory]
    [MemberData(nameof(Patterns))]
    public void Each_pattern_is_linear_time_and_has_no_timeout(string name)
    {
        var method = Methods().Single(m => $"{m.DeclaringType!.FullName}.{m.Name}" == name);
        var regex = (Regex)method.Invoke(null, null)!;

        Assert.True(regex.Options.HasFlag(RegexOptions.NonBacktracking), $"{name} ({regex}) is not RegexOptions.NonBacktracking");
        Assert.Equal(Regex.InfiniteMatchTimeout, regex.MatchTimeout);
    }
}
