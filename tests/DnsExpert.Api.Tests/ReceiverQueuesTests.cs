using DnsExpert.Api.Async;

namespace DnsExpert.Api.Tests;

/// <summary>The callback queues: receivers take turns, and one receiver's deliveries out at once are bounded.</summary>
public sealed class ReceiverQueuesTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Receivers_take_turns_and_a_busy_receiver_waits_for_its_own_delivery_to_end()
    {
        var queues = new ReceiverQueues<string>(capacity: 100, receiverCapacity: 100, perReceiver: 1);
        foreach (var (receiver, item) in new[] { ("slow", "s1"), ("slow", "s2"), ("slow", "s3"), ("ok", "o1"), ("ok", "o2") })
        {
            Assert.Null(queues.TryAdd(receiver, item));
        }

        Assert.Equal(("slow", "s1"), await queues.TakeAsync(CancellationToken.None).WaitAsync(Guard));
        Assert.Equal(("ok", "o1"), await queues.TakeAsync(CancellationToken.None).WaitAsync(Guard));

        // Both receivers have their one delivery out: nothing may be taken until one ends.
        var next = queues.TakeAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(next.IsCompleted);
        queues.Done("ok");
        Assert.Equal(("ok", "o2"), await next.WaitAsync(Guard));
        queues.Done("slow");
        Assert.Equal(("slow", "s2"), await queues.TakeAsync(CancellationToken.None).WaitAsync(Guard));
    }

    [Fact]
    public async Task A_full_receiver_queue_refuses_only_that_receiver_and_completion_drains_what_waits()
    {
        var queues = new ReceiverQueues<int>(capacity: 3, receiverCapacity: 2, perReceiver: 1);

        Assert.Null(queues.TryAdd("slow", 1));
        Assert.Null(queues.TryAdd("slow", 2));
        Assert.Equal(ReceiverQueueRefusal.ReceiverFull, queues.TryAdd("slow", 3));
        Assert.Null(queues.TryAdd("ok", 4));
        Assert.Equal(ReceiverQueueRefusal.Full, queues.TryAdd("other", 5));

        queues.Complete();
        Assert.Equal(ReceiverQueueRefusal.Completed, queues.TryAdd("ok", 6));
        var taken = new List<int>();
        while (await queues.TakeAsync(CancellationToken.None).WaitAsync(Guard) is ({ } receiver, var item))
        {
            taken.Add(item);
            queues.Done(receiver);
        }

        Assert.Equal([1, 4, 2], taken);
    }
}
