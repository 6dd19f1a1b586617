using DnsExpert.Readers.Building;

namespace DnsExpert.Readers.Tests;

/// <summary>The names a resolver tries through the search list are not names a client asked for (issue 20).</summary>
public sealed class SearchListWalkTests
{
    // A ClusterFirst pod in default on an Alibaba node (search default.svc.cluster.local svc.cluster.local cluster.local cn-hangzhou.internal).
    private static readonly string[] Walk =
    [
        "api.partner-example.com.default.svc.cluster.local",
        "api.partner-example.com.svc.cluster.local",
        "api.partner-example.com.cluster.local",
        "api.partner-example.com.cn-hangzhou.internal",
        "api.partner-example.com",
    ];

    [Fact]
    public void Without_resolv_conf_the_walk_in_the_log_names_the_tries()
    {
        var walk = SearchListWalk.From(Walk, new ClusterContext());
        Assert.True(walk.IsExpansion("api.partner-example.com.cn-hangzhou.internal"));
        Assert.False(walk.IsExpansion("api.partner-example.com"));
        Assert.Equal(["api.partner-example.com"], walk.Walked);
    }

    [Fact]
    public void A_name_tried_with_one_cluster_suffix_only_is_no_walk()
    {
        // api.partner-example.com.svc.cluster.local alone would make api.partner-example look asked for, and .com a search domain.
        var walk = SearchListWalk.From(["api.partner-example.com.svc.cluster.local", "api.partner-example.com"], new ClusterContext());
        Assert.False(walk.IsExpansion("api.partner-example.com"));
        Assert.Empty(walk.Walked);
    }

    [Fact]
    public void The_failing_name_with_any_suffix_is_a_try_but_never_the_failing_name_itself()
    {
        var cluster = new ClusterContext { FailingName = "db.corp.example", SearchSuffixes = ["corp.example"] };
        var walk = SearchListWalk.From(["db.corp.example.eu-west-1.compute.internal", "db.corp.example"], cluster);
        Assert.True(walk.IsExpansion("db.corp.example.eu-west-1.compute.internal"));
        Assert.False(walk.IsExpansion("db.corp.example")); // ends in a search domain, but it is the name asked for
        Assert.True(walk.IsExpansion("other.corp.example"));
    }

    [Fact]
    public void A_name_that_went_through_the_search_list_itself_was_asked_for()
    {
        // "api" and "api.example.com" both walked: api.example.com is a name of its own, not api + search domain example.com.
        var walk = SearchListWalk.From(
            ["api.svc.cluster.local", "api.cluster.local", "api.example.com.svc.cluster.local", "api.example.com.cluster.local", "api.example.com"],
            new ClusterContext());
        Assert.False(walk.IsExpansion("api.example.com"));
        Assert.True(walk.IsExpansion("api.example.com.ec2.internal"));
    }
}
