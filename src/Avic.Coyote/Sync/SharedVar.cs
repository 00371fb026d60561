using System.Runtime.CompilerServices;
using Avic.Coyote.Runtime;

namespace Avic.Coyote.Sync;

/// <summary>
/// A shared memory location (a field other threads also read or write). Every read and write is a
/// scheduling point, so interleavings between accesses are explored: <c>await x.Read()</c> is
/// READ_ONCE, <c>await x.Write(v)</c> is WRITE_ONCE. Under x86-TSO stores are buffered per operation.
/// </summary>
public sealed class SharedVar<T> : StoreTarget
{
    private readonly ControlledRuntime runtime;
    private T value;

    public SharedVar(string name, T initialValue = default!)
        : this(ControlledRuntime.Current ?? throw new InvalidOperationException("create shared variables inside a test"), name, initialValue)
    {
    }

    public SharedVar(ControlledRuntime runtime, string name, T initialValue = default!) : base(runtime, name)
    {
        this.runtime = runtime;
        value = initialValue;
    }

    /// <summary>The value in memory (what other operations would read), without a scheduling point.
    /// For monitors and assertions, not for model code racing on the variable.</summary>
    public T Peek()
    {
        runtime.RecordAccess(this, write: false);
        return value;
    }

    /// <summary>READ_ONCE: a scheduling point, then the load (from the operation's store buffer first under TSO).</summary>
    public SchedulingPoint<ReadAction, T> Read() =>
        runtime.Point<ReadAction, T>(new ReadAction(this), this, AccessKind.Read);

    /// <summary>WRITE_ONCE: a scheduling point, then the store (into the store buffer under TSO).</summary>
    public SchedulingPoint<WriteAction, Unit> Write(T newValue) =>
        runtime.Point<WriteAction, Unit>(new WriteAction(this, newValue), this, AccessKind.Write);

    /// <summary>A locked compare-and-exchange (drains the store buffer); returns the old value.</summary>
    public SchedulingPoint<CompareExchangeAction, T> CompareExchange(T newValue, T comparand) =>
        runtime.Point<CompareExchangeAction, T>(new CompareExchangeAction(this, newValue, comparand), this, AccessKind.ReadWrite);

    /// <summary>A locked exchange (xchg; drains the store buffer); returns the old value.</summary>
    public SchedulingPoint<CompareExchangeAction, T> Exchange(T newValue) =>
        runtime.Point<CompareExchangeAction, T>(new CompareExchangeAction(this, newValue, default!, unconditional: true), this, AccessKind.ReadWrite);

    private T Load(ControlledRuntime rt)
    {
        if (rt.MemoryModel == MemoryModel.X86Tso && rt.CurrentOperation.Get<StoreBuffer>() is { } sb &&
            sb.TryForward(this, out long bits, out object? boxed))
            return FromBits(bits, boxed);
        return value;
    }

    private void Store(ControlledRuntime rt, T newValue)
    {
        if (rt.MemoryModel == MemoryModel.X86Tso)
        {
            StoreBuffer sb = TsoMemory.Of(rt).BufferOf(rt.CurrentOperation);
            if (Storable) sb.Enqueue(this, ToBits(newValue), null);
            else sb.Enqueue(this, 0, newValue);
        }
        else
        {
            value = newValue;
        }
    }

    // Small unmanaged values travel through the store buffer as bits, so TSO does not box them.
    private static bool Storable => !RuntimeHelpers.IsReferenceOrContainsReferences<T>() && Unsafe.SizeOf<T>() <= sizeof(long);

    private static long ToBits(T v)
    {
        long bits = 0;
        Unsafe.As<long, T>(ref bits) = v;
        return bits;
    }

    private static T FromBits(long bits, object? boxed) => Storable ? Unsafe.As<long, T>(ref bits) : (T)boxed!;

    internal override void Commit(long bits, object? boxed) => value = FromBits(bits, boxed);

    internal override string Format(long bits, object? boxed) => Show(FromBits(bits, boxed));

    /// <summary>Trace formatting: booleans as C writes them in logs (true/false), null as NULL.</summary>
    public static string Show(T v) => v switch
    {
        bool b => b ? "true" : "false",
        null => "NULL",
        _ => v.ToString() ?? "",
    };

    public override string ToString() => $"{Name} = {Show(value)}";

    public readonly struct ReadAction(SharedVar<T> v) : IResumeAction<T>
    {
        public T Run(ControlledRuntime rt)
        {
            T result = v.Load(rt);
            if (rt.IsTracing) rt.Log($"READ_ONCE({v.Name}) -> {Show(result)}");
            return result;
        }
    }

    public readonly struct WriteAction(SharedVar<T> v, T newValue) : IResumeAction<Unit>
    {
        public Unit Run(ControlledRuntime rt)
        {
            v.Store(rt, newValue);
            if (rt.IsTracing) rt.Log($"WRITE_ONCE({v.Name}, {Show(newValue)}){(rt.MemoryModel == MemoryModel.X86Tso ? " (store buffered)" : "")}");
            return default;
        }
    }

    public readonly struct CompareExchangeAction(SharedVar<T> v, T newValue, T comparand, bool unconditional = false) : IResumeAction<T>
    {
        public T Run(ControlledRuntime rt)
        {
            rt.DrainStoreBuffer();
            T old = v.value;
            if (unconditional || EqualityComparer<T>.Default.Equals(old, comparand)) v.value = newValue;
            if (rt.IsTracing)
                rt.Log(unconditional
                    ? $"xchg({v.Name}, {Show(newValue)}) -> {Show(old)}"
                    : $"cmpxchg({v.Name}, {Show(comparand)} -> {Show(newValue)}) -> {Show(old)}");
            return old;
        }
    }
}
