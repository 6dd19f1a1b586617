namespace DnsExpert.Api.Async;

/// <summary>
/// Callbacks waiting for delivery, one FIFO queue per receiver, taken in turn between receivers with at most
/// <c>perReceiver</c> of one receiver's deliveries out at once. A receiver that is slow or never answers then holds at
/// most that many delivery workers and fills only its own queue (<c>receiverCapacity</c>): every other receiver still
/// gets its turn. <c>capacity</c> bounds the callbacks waiting for all receivers together.
/// </summary>
internal sealed class ReceiverQueues<T>(int capacity, int receiverCapacity, int perReceiver)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Receiver> _receivers = new(StringComparer.Ordinal);

    /// <summary>Receivers with a callback waiting and room for one more delivery, in the order their turn comes.</summary>
    private readonly LinkedList<Receiver> _turns = new();

    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _waiting;
    private bool _completed;

    /// <summary>Queues <paramref name="item"/> for <paramref name="receiver"/>, or says why not.</summary>
    public ReceiverQueueRefusal? TryAdd(string receiver, T item)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return ReceiverQueueRefusal.Completed;
            }

            if (_waiting >= capacity)
            {
                return ReceiverQueueRefusal.Full;
            }

            if (!_receivers.TryGetValue(receiver, out var queue))
            {
                queue = new Receiver(receiver);
                _receivers.Add(receiver, queue);
            }
            else if (queue.Waiting.Count >= receiverCapacity)
            {
                return ReceiverQueueRefusal.ReceiverFull;
            }

            queue.Waiting.Enqueue(item);
            _waiting++;
            OfferTurn(queue);
            Signal();
            return null;
        }
    }

    /// <summary>
    /// The next callback whose receiver's turn it is; waits while there is none. Null once <see cref="Complete"/> was
    /// called and nothing waits any more. Call <see cref="Done"/> with its receiver when its delivery ends.
    /// </summary>
    public async Task<(string Receiver, T Item)?> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_turns.First is { } first)
                {
                    var queue = first.Value;
                    _turns.RemoveFirst();
                    queue.Turn = null;
                    var item = queue.Waiting.Dequeue();
                    _waiting--;
                    queue.Out++;
                    OfferTurn(queue);
                    return (queue.Key, item);
                }

                if (_completed && _waiting == 0)
                {
                    return null;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    /// <summary>A delivery to <paramref name="receiver"/> ended: the receiver may have its next turn.</summary>
    public void Done(string receiver)
    {
        lock (_gate)
        {
            var queue = _receivers[receiver];
            queue.Out--;
            if (queue.Out == 0 && queue.Waiting.Count == 0)
            {
                _receivers.Remove(receiver);
            }

            OfferTurn(queue);
            Signal();
        }
    }

    /// <summary>Takes no more callbacks; those waiting are still handed out.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            Signal();
        }
    }

    /// <summary>Puts a receiver at the end of the turns when it has a callback waiting and room for another delivery.</summary>
    private void OfferTurn(Receiver queue)
    {
        if (queue.Turn is null && queue.Waiting.Count > 0 && queue.Out < perReceiver)
        {
            queue.Turn = _turns.AddLast(queue);
        }
    }

    private void Signal()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.SetResult();
    }

    private sealed class Receiver(string key)
    {
        public string Key { get; } = key;

        public Queue<T> Waiting { get; } = new();

        /// <summary>Deliveries to this receiver under way.</summary>
        public int Out { get; set; }

        public LinkedListNode<Receiver>? Turn { get; set; }
    }
}

/// <summary>Why a callback was not queued.</summary>
internal enum ReceiverQueueRefusal
{
    /// <summary>The service is stopping.</summary>
    Completed,

    /// <summary>As many callbacks as the service keeps are waiting.</summary>
    Full,

    /// <summary>As many callbacks as one receiver may have waiting are waiting for this one.</summary>
    ReceiverFull,
}
