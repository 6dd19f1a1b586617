using System.Text;
using System.Text.Json;
using DnsExpert.Contract;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// The Kubernetes objects' JSON values are counted against <see cref="RequestLimits.MaxObjectValues"/> whichever way the
/// body is read: whole (<see cref="RequestJson.Read{T}"/>) or as it streams. A whole body of no more bytes than the
/// budget cannot pass it and is not counted; a longer one is, to the value.
/// </summary>
public sealed class ObjectValueBudgetTests
{
    /// <summary>
    /// A body whose objects count <paramref name="values"/> against the budget: one object with an array of zeros. What
    /// is counted is the element's tokens but its last (the object, its property name, the array, each zero, the array's end).
    /// </summary>
    private static byte[] Body(int values) =>
        Encoding.UTF8.GetBytes("""{"snapshot":{"objects":[{"a":[""" + string.Join(",", Enumerable.Repeat("0", values - 4)) + "]}]}}");

    private static async Task<IList<JsonElement>?> ReadBothWays(byte[] body, RequestLimits limits)
    {
        var options = RequestJson.CreateOptions(limits, 64);
        var whole = RequestJson.Read<DiagnosisRequest>(body, options, limits)!.Snapshot!.Objects;
        await using var stream = new MemoryStream(body);
        var streamed = (await RequestJson.ReadAsync(stream, options, limits, logs: null, CancellationToken.None))!.Snapshot!.Objects;
        Assert.Equal(whole!.Select(e => e.GetRawText()), streamed!.Select(e => e.GetRawText()));
        return whole;
    }

    [Theory]
    [InlineData(5)]
    [InlineData(100)]
    [InlineData(5_000)]
    public async Task Values_up_to_the_limit_are_read_and_one_more_is_refused_whole_or_streamed(int max)
    {
        var limits = new RequestLimits { MaxObjectValues = max };

        // Exactly the limit: read. The body is longer than the limit, so it is counted read whole too.
        var exact = Body(max);
        Assert.True(exact.Length > max);
        Assert.Equal(max - 4, (await ReadBothWays(exact, limits))![0].GetProperty("a").GetArrayLength());

        // One more: refused both ways, from the count, before the element is made.
        var over = Body(max + 1);
        var options = RequestJson.CreateOptions(limits, 64);
        var whole = Assert.Throws<RequestLimitException>(() => RequestJson.Read<DiagnosisRequest>(over, options, limits));
        Assert.Equal("snapshot.objects", whole.Field);
        await using var stream = new MemoryStream(over);
        var streamed = await Assert.ThrowsAsync<RequestLimitException>(() => RequestJson.ReadAsync(stream, options, limits, logs: null, CancellationToken.None));
        Assert.Equal(whole.Message, streamed.Message);
    }

    [Fact]
    public async Task A_body_no_longer_than_the_budget_is_read_whatever_its_objects_hold()
    {
        // Every counted token starts at a byte of its own: a body of as many bytes as the budget fits in it, however dense.
        var body = Encoding.UTF8.GetBytes("""{"snapshot":{"objects":[[[[[],[]]]],[0,0,0],{"a":{"b":{}}}]}}""");
        var limits = new RequestLimits { MaxObjectValues = body.Length };
        var objects = await ReadBothWays(body, limits);
        Assert.Equal(["[[[[],[]]]]", "[0,0,0]", """{"a":{"b":{}}}"""], objects!.Select(e => e.GetRawText()));
    }

    [Fact]
    public async Task The_objects_share_one_budget_per_body()
    {
        // Three objects counting 6 each (the object, "a", the array, two zeros, the array's end): 18 fit, 17 do not.
        var body = Encoding.UTF8.GetBytes("""{"snapshot":{"objects":[{"a":[0,0]},{"a":[0,0]},{"a":[0,0]}]}}""");
        Assert.Equal(3, (await ReadBothWays(body, new RequestLimits { MaxObjectValues = 18 }))!.Count);
        var limits = new RequestLimits { MaxObjectValues = 17 };
        Assert.Throws<RequestLimitException>(() => RequestJson.Read<DiagnosisRequest>(body, RequestJson.CreateOptions(limits, 64), limits));
    }
}
