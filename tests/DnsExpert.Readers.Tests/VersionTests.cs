using DnsExpert.Facts;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Tests;

public sealed class VersionTests
{
    [Theory]
    [InlineData("registry.cn-hangzhou.aliyuncs.com/acs/coredns:v1.9.3.10-7dfca203-aliyun", "1.9.3.10", "7dfca203-aliyun")]
    [InlineData("registry.k8s.io/coredns/coredns:v1.10.1", "1.10.1", "")]
    [InlineData("coredns/coredns:1.6.7@sha256:2c8d61c46f484d881db43b34d13ca47a269336e576c81cf007ca740fa9ec0800", "1.6.7", "")]
    [InlineData("registry.local:5000/coredns:1.7.0", "1.7.0", "")]
    public void Version_from_image_tag(string image, string numbers, string suffix)
    {
        var v = ReleaseVersion.FromImage(image)!;
        Assert.Equal(numbers, string.Join('.', v.Numbers));
        Assert.Equal(suffix, v.Suffix);
    }

    [Theory]
    [InlineData("coredns/coredns@sha256:2c8d61c46f484d881db43b34d13ca47a269336e576c81cf007ca740fa9ec0800")]
    [InlineData("registry.local:5000/coredns")]
    [InlineData("coredns:latest")]
    public void Image_without_a_version_tag_has_no_version(string image) => Assert.Null(ReleaseVersion.FromImage(image));

    [Theory]
    [InlineData("1.6.7", "1.7.0", -1)]
    [InlineData("v1.7.0-aliyun", "1.7.0", 0)]
    [InlineData("1.7", "1.7.0", 0)]
    [InlineData("1.7.0.1", "1.7.0", 1)]
    [InlineData("v1.9.3.10-7dfca203-aliyun", "1.8.4", 1)]
    [InlineData("v1.20.11-aliyun.1", "1.20", 1)]
    [InlineData("v1.19.6", "1.20", -1)]
    public void Release_versions_compare_by_numbers(string a, string b, int expected) =>
        Assert.Equal(expected, Math.Sign(ReleaseVersion.Parse(a).CompareTo(ReleaseVersion.Parse(b))));

    [Theory]
    [InlineData("4.19.91-24.1.al7.x86_64", "4.19.91-25.1.al7", -1)]
    [InlineData("4.19.91-25.1.al7.x86_64", "4.19.91-25.1.al7", 0)]
    [InlineData("4.19.91-26.al7.x86_64", "4.19.91-25.1.al7", 1)]
    [InlineData("3.10.0-1160.el7.x86_64", "4.19.91-25.1.al7", -1)]
    [InlineData("5.10.134-13.an8.x86_64", "4.19.91-25.1.al7", 1)]
    [InlineData("4.19.91-9.al7.x86_64", "4.19.91-25.1.al7", -1)]
    public void Kernel_versions_compare_like_rpm(string a, string b, int expected)
    {
        Assert.True(KernelVersion.TryParse(a, out var x));
        Assert.True(KernelVersion.TryParse(b, out var y));
        Assert.Equal(expected, Math.Sign(x.CompareTo(y)));
    }

    [Fact]
    public void Kernel_distribution_and_architecture()
    {
        Assert.True(KernelVersion.TryParse("4.19.91-25.1.al7.x86_64", out var k));
        Assert.Equal(("al7", "x86_64"), (k.DistributionTag, k.Architecture));
        Assert.True(KernelVersion.TryParse("6.1.0-18-amd64", out var d));
        Assert.Equal((null, "amd64"), (d.DistributionTag, d.Architecture));
    }

    [Theory]
    [InlineData("ldd (GNU libc) 2.28\nCopyright (C) 2018 Free Software Foundation, Inc.", LibcKind.Glibc, "2.28")]
    [InlineData("ldd (Ubuntu GLIBC 2.35-0ubuntu3.1) 2.35\nCopyright (C) 2022 Free Software Foundation, Inc.", LibcKind.Glibc, "2.35")]
    [InlineData("musl libc (x86_64)\nVersion 1.2.4\nDynamic Program Loader\nUsage: ldd [options] [--] pathname", LibcKind.Musl, "1.2.4")]
    [InlineData("sh: ldd: not found", LibcKind.Unknown, null)]
    public void Libc_from_ldd_output(string text, LibcKind kind, string? version)
    {
        var libc = LibcInfo.FromLddOutput(text);
        Assert.Equal(kind, libc.Kind);
        Assert.Equal(version, libc.Version is null ? null : string.Join('.', libc.Version.Numbers));
    }
}
