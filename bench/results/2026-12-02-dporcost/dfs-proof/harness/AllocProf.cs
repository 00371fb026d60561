using System.Diagnostics.Tracing;
sealed class AllocListener : EventListener
{
    public readonly Dictionary<string, long> ByType = new();
    protected override void OnEventSourceCreated(EventSource s)
    {
        if (s.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(s, EventLevel.Verbose, (EventKeywords)0x1);
    }
    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is null || !e.EventName.StartsWith("GCAllocationTick")) return;
        int i = e.PayloadNames!.IndexOf("TypeName");
        string t = i >= 0 ? e.Payload![i]?.ToString() ?? "?" : "?";
        lock (ByType) ByType[t] = ByType.GetValueOrDefault(t) + 1;
    }
}
