using System.Diagnostics.Tracing;
sealed class AllocListener : EventListener
{
    public readonly Dictionary<string, long> Counts = new();
    public bool On;
    protected override void OnEventSourceCreated(EventSource src)
    {
        if (src.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(src, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick
    }
    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!On || e.EventName is null || !e.EventName.StartsWith("GCAllocationTick")) return;
        int i = e.PayloadNames!.IndexOf("TypeName");
        string t = i >= 0 ? e.Payload![i]?.ToString() ?? "?" : "?";
        lock (Counts) Counts[t] = Counts.GetValueOrDefault(t) + 1;
    }
}
