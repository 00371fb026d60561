using Avic.Coyote.Cli.Hunt;

namespace Avic.Coyote.Tests.Hunt;

/// <summary>The budget arithmetic of <see cref="HuntRunner.SliceSeconds"/>, with made-up clocks.</summary>
public class TimeSliceTests
{
    [Fact]
    public void AtTheStartEveryUnitGetsAnEqualShareOfTheThreadTime() =>
        // 2 threads x 60 s over 8 units.
        Assert.Equal(15, HuntRunner.SliceSeconds(threads: 2, leftSeconds: 60, reservedSeconds: 0, unstarted: 8));

    [Fact]
    public void TimeLeftByAUnitThatEndedEarlyGoesToTheUnitsAfterIt()
    {
        // After 5 s: thread A's unit (slice 0..15 s) is still running; thread B's unit proved its test at 5 s.
        double withEarlyFinish = HuntRunner.SliceSeconds(threads: 2, leftSeconds: 55, reservedSeconds: 10, unstarted: 6);
        // Had B used its whole slice, the next unit would start at 15 s with the plain share.
        double plain = HuntRunner.SliceSeconds(threads: 2, leftSeconds: 45, reservedSeconds: 0, unstarted: 6);

        Assert.Equal(15, plain);
        Assert.Equal(100.0 / 6, withEarlyFinish, precision: 9); // the 10 s B left unused, shared by the 6 remaining units
    }

    [Fact]
    public void ASliceNeverEndsAfterTheDeadline() =>
        // 1 unit, 4 threads: its share would be 40 s, but only 10 s are left.
        Assert.Equal(10, HuntRunner.SliceSeconds(threads: 4, leftSeconds: 10, reservedSeconds: 0, unstarted: 1));

    [Fact]
    public void UnitsPushedPastTheDeadlineStillGetATokenSlice() =>
        Assert.Equal(0.001, HuntRunner.SliceSeconds(threads: 2, leftSeconds: -0.5, reservedSeconds: 0, unstarted: 3));
}
