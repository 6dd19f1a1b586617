using DnsExpert.Facts;
using DnsExpert.Readers.Building;
using DnsExpert.Readers.Building.Producers;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// The name and tag of image references as distributions' manifests and real clusters write them: a registry's port
/// is no tag, a digest is neither, and a reference may have no tag at all.
/// </summary>
public sealed class ContainerImageTests
{
    [Theory]
    // kubeadm's CoreDNS (kubernetes/kubernetes cmd/kubeadm constants), and k8s.gcr.io's by digest and by tag as a
    // v1.22.8 node lists its images (tests/fixtures/kubectl-json/node-kubeadm-v1.22.8.json).
    [InlineData("registry.k8s.io/coredns/coredns:v1.11.1", "coredns", "v1.11.1")]
    [InlineData("k8s.gcr.io/coredns/coredns@sha256:6e5a02c21641597998b4be7cb5eb1e7b02c0d8d23cce4dd09f4682d463798890", "coredns", null)]
    [InlineData("k8s.gcr.io/coredns/coredns:v1.8.4", "coredns", "v1.8.4")]
    // RKE2's and ACK's CoreDNS (tests/fixtures/distributions/rke2-coredns.json, the ack scenarios).
    [InlineData("rancher/hardened-coredns:v1.10.1-build20230607", "hardened-coredns", "v1.10.1-build20230607")]
    [InlineData("registry-cn-hangzhou-vpc.ack.aliyuncs.com/acs/coredns:v1.11.3.2-f57ea7ed6-aliyun", "coredns", "v1.11.3.2-f57ea7ed6-aliyun")]
    // A tag and a digest: kind's node image as its v0.22.0 release notes pin it.
    [InlineData("kindest/node:v1.29.2@sha256:51a1434a5397193442f0be2a297b488b6c919ce8a3931be0ce822606ea5ca245", "node", "v1.29.2")]
    // A registry with a port: kind's local registry (its "Local Registry" guide), with and without a tag.
    [InlineData("localhost:5001/hello-app:1.0", "hello-app", "1.0")]
    [InlineData("localhost:5001/hello-app", "hello-app", null)]
    [InlineData("registry:5000/coredns:1.11.1", "coredns", "1.11.1")]
    [InlineData("registry:5000/coredns@sha256:6e5a02c21641597998b4be7cb5eb1e7b02c0d8d23cce4dd09f4682d463798890", "coredns", null)]
    // No registry, no tag; an empty tag is none.
    [InlineData("busybox", "busybox", null)]
    [InlineData("coredns:", "coredns", null)]
    public void The_name_and_tag_ignore_the_registrys_port_and_the_digest(string image, string name, string? tag)
    {
        Assert.Equal(name, ContainerImage.Name(image));
        Assert.Equal(tag, ContainerImage.Tag(image));
    }

    [Theory]
    [InlineData("alpine:3.19", true)]
    [InlineData("localhost:5001/alpine:3.19", true)]
    [InlineData("python:3.12-alpine3.19@sha256:6e5a02c21641597998b4be7cb5eb1e7b02c0d8d23cce4dd09f4682d463798890", true)]
    [InlineData("nginx:alpine", true)]
    [InlineData("localhost:5001/hello-app:1.0", false)]
    [InlineData("registry.k8s.io/coredns/coredns:v1.11.1", false)]
    public void An_alpine_image_is_told_by_its_name_or_tag_whatever_its_registry(string image, bool alpine) =>
        Assert.Equal(alpine, PodResolverProducer.IsAlpineImage(image));

    [Theory]
    [InlineData("localhost:5001/alpine:3.17.3", "3.17.3")]
    [InlineData("localhost:5001/alpine", null)]
    [InlineData("python:3.12-alpine3.19@sha256:6e5a02c21641597998b4be7cb5eb1e7b02c0d8d23cce4dd09f4682d463798890", "3.19")]
    public void The_alpine_release_is_read_past_a_registrys_port_and_a_digest(string image, string? release) =>
        Assert.Equal(release, PodResolverProducer.AlpineReleaseOf(image)?.Original);
}
