using DnsExpert.Readers.Building.Producers;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// The Alpine release an image names, which says whether its musl resolver retries a truncated answer over TCP (from
/// Alpine 3.18, musl 1.2.4): the tags Docker Hub's official images use.
/// </summary>
public sealed class AlpineReleaseTests
{
    [Theory]
    [InlineData("alpine:3.17", "3.17")]
    [InlineData("docker.io/library/alpine:3.17.3", "3.17.3")]
    [InlineData("python:3.11-alpine3.17", "3.17")]
    [InlineData("node:18.16.0-alpine3.18", "3.18")]
    [InlineData("registry.example.com/shop/order-worker:3.2.0-alpine3.17@sha256:0123", "3.17")]
    [InlineData("nginx:1.25-alpine", null)]
    [InlineData("nginx:alpine", null)]
    [InlineData("alpine", null)]
    [InlineData("alpine:latest", null)]
    [InlineData("debian:12", null)]
    [InlineData("golang:1.21-alpine3", null)]
    public void Reads_the_release_from_the_name_or_tag(string image, string? release) =>
        Assert.Equal(release, PodResolverProducer.AlpineReleaseOf(image)?.Original);
}
