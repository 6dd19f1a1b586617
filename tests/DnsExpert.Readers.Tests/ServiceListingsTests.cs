using DnsExpert.Contract;
using DnsExpert.Readers.Building;

namespace DnsExpert.Readers.Tests;

/// <summary>Whose Services a snapshot lists: an absence is evidence only in a namespace that was listed.</summary>
public sealed class ServiceListingsTests
{
    private static ServiceListings Of(params string[] commands) =>
        ServiceListings.Of(new Snapshot { Outputs = commands.Select(c => new CommandOutput { Command = c, Text = "" }).ToList() }, []);

    [Theory]
    [InlineData("kubectl get svc -n prdo -o json", "prdo")]
    [InlineData("kubectl get services --namespace=prdo", "prdo")]
    [InlineData("kubectl -n prdo get service", "prdo")]
    [InlineData("kubectl get svc,ep -nprdo -o wide", "prdo")]
    [InlineData("kubectl get svc", "default")]
    public void A_listing_covers_its_namespace_only(string command, string ns)
    {
        var listings = Of(command);

        Assert.True(listings.Covers(ns));
        Assert.False(listings.Covers("shop"));
    }

    [Theory]
    [InlineData("kubectl get svc -A")]
    [InlineData("kubectl get services --all-namespaces -o json")]
    public void An_all_namespaces_listing_covers_every_namespace(string command) => Assert.True(Of(command).Covers("anything"));

    [Theory]
    [InlineData("kubectl get svc kube-dns -n kube-system -o json")]
    [InlineData("kubectl get svc/kube-dns -n kube-system")]
    [InlineData("kubectl get svc -A | grep orders")]
    [InlineData("kubectl get pods -n prdo")]
    [InlineData("kubectl describe svc -n prdo")]
    [InlineData("dig orders.prdo.svc.cluster.local")]
    public void A_named_get_a_filtered_listing_or_another_command_lists_nothing(string command) => Assert.False(Of(command).Any);

    [Fact]
    public void Services_among_the_objects_list_their_namespaces() =>
        Assert.True(ServiceListings.Of(new Snapshot(), ["shop"]).Covers("shop"));
}
