using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;
using Avic.Kvm.Avic;
using static Avic.Kvm.Avic.AvicPhysicalIdEntry;

namespace Avic.Coyote.Tests.Avic;

public class AvicPhysicalIdEntryTests
{
    // Flag combinations used across tests: every subset of {GA_LOG_INTR, IS_RUNNING, VALID}.
    public static readonly ulong[] FlagSets =
    [
        0UL,
        1UL << 61,
        1UL << 62,
        1UL << 63,
        (1UL << 61) | (1UL << 62),
        (1UL << 61) | (1UL << 63),
        (1UL << 62) | (1UL << 63),
        (1UL << 61) | (1UL << 62) | (1UL << 63),
    ];

    public static readonly ulong[] Pages =
    [
        0UL, 0x1000UL, 0x12345000UL, 0x8_0000_0000_0000UL, 0xF_FFFF_FFFF_F000UL,
    ];

    [Fact]
    public void Masks_HaveTheKernelValues()
    {
        Assert.Equal(0x0000_0000_0000_0FFFUL, HostPhysicalIdMask);         // GENMASK_ULL(11, 0)
        Assert.Equal(0x0000_0000_0000_00FFUL, HostPhysicalIdMaskLegacy);   // 0xFFULL
        Assert.Equal(0x000F_FFFF_FFFF_F000UL, BackingPageMask);            // 0xFFFFFFFFFFULL << 12
        Assert.Equal(0x2000_0000_0000_0000UL, GaLogIntrMask);              // BIT_ULL(61)
        Assert.Equal(0x4000_0000_0000_0000UL, IsRunningMask);              // 1ULL << 62
        Assert.Equal(0x8000_0000_0000_0000UL, ValidMask);                  // 1ULL << 63
        Assert.Equal(0xFFFUL, HostIdMask(HostIdWidth.Bits12));
        Assert.Equal(0xFFUL, HostIdMask(HostIdWidth.Bits8Legacy));
    }

    [Fact]
    public void Masks_AreDisjoint_AndLeaveBits52To60Reserved()
    {
        ulong[] masks = [HostPhysicalIdMask, BackingPageMask, GaLogIntrMask, IsRunningMask, ValidMask];
        for (int i = 0; i < masks.Length; i++)
        {
            for (int j = i + 1; j < masks.Length; j++)
            {
                Assert.Equal(0UL, masks[i] & masks[j]);
            }
        }

        Assert.Equal(0x1FF0_0000_0000_0000UL, ReservedBits(ulong.MaxValue, HostIdWidth.Bits12));
        Assert.Equal(0x1FF0_0000_0000_0F00UL, ReservedBits(ulong.MaxValue, HostIdWidth.Bits8Legacy));
    }

    [Theory]
    // hostId, width, expected field value, in range?
    [InlineData(0, HostIdWidth.Bits12, 0x000, true)]
    [InlineData(1, HostIdWidth.Bits12, 0x001, true)]
    [InlineData(0xFE, HostIdWidth.Bits12, 0x0FE, true)]
    [InlineData(0xFF, HostIdWidth.Bits12, 0x0FF, true)]
    [InlineData(0x100, HostIdWidth.Bits12, 0x100, true)]
    [InlineData(0x1FF, HostIdWidth.Bits12, 0x1FF, true)]
    [InlineData(0xFFF, HostIdWidth.Bits12, 0xFFF, true)]
    [InlineData(0x1000, HostIdWidth.Bits12, 0x000, false)]
    [InlineData(0x1001, HostIdWidth.Bits12, 0x001, false)]
    [InlineData(-1, HostIdWidth.Bits12, 0xFFF, false)]
    [InlineData(-4096, HostIdWidth.Bits12, 0x000, false)]
    [InlineData(int.MinValue, HostIdWidth.Bits12, 0x000, false)]
    [InlineData(int.MaxValue, HostIdWidth.Bits12, 0xFFF, false)]
    [InlineData(0, HostIdWidth.Bits8Legacy, 0x00, true)]
    [InlineData(1, HostIdWidth.Bits8Legacy, 0x01, true)]
    [InlineData(0xFE, HostIdWidth.Bits8Legacy, 0xFE, true)]
    [InlineData(0xFF, HostIdWidth.Bits8Legacy, 0xFF, true)]
    [InlineData(0x100, HostIdWidth.Bits8Legacy, 0x00, false)]
    [InlineData(0x1FF, HostIdWidth.Bits8Legacy, 0xFF, false)]
    [InlineData(0xFFF, HostIdWidth.Bits8Legacy, 0xFF, false)]
    [InlineData(0x1000, HostIdWidth.Bits8Legacy, 0x00, false)]
    [InlineData(-1, HostIdWidth.Bits8Legacy, 0xFF, false)]
    [InlineData(-256, HostIdWidth.Bits8Legacy, 0x00, false)]
    public void WithHostPhysicalId_MasksLikeTheKernel(int hostId, HostIdWidth width, int expectedField, bool inRange)
    {
        Assert.Equal(inRange, IsHostIdInRange(hostId, width));
        foreach (ulong flags in FlagSets)
        {
            foreach (ulong page in Pages)
            {
                ulong before = flags | page;
                ulong after = WithHostPhysicalId(before, hostId, width);
                Assert.Equal(expectedField, HostPhysicalId(after, width));
                Assert.Equal(before | (uint)expectedField, after); // nothing else touched
            }
        }
    }

    [Fact]
    public void WithHostPhysicalId_ReplacesAnOldId_AndLegacyWidthKeepsBits11To8()
    {
        ulong entry = ValidMask | 0x12345000UL | 0xABC;
        Assert.Equal(ValidMask | 0x12345000UL | 0x003, WithHostPhysicalId(entry, 3, HostIdWidth.Bits12));
        // Legacy layout only owns bits 7:0; bits 11:8 (0xA00) are not part of the field.
        Assert.Equal(ValidMask | 0x12345000UL | 0xA03, WithHostPhysicalId(entry, 3, HostIdWidth.Bits8Legacy));
        Assert.Equal(0xBC, HostPhysicalId(entry, HostIdWidth.Bits8Legacy));
        Assert.Equal(0xABC, HostPhysicalId(entry, HostIdWidth.Bits12));
    }

    [Fact]
    public void HostPhysicalId_IgnoresAllOtherBits()
    {
        Assert.Equal(0, HostPhysicalId(~HostPhysicalIdMask));
        Assert.Equal(0xFFF, HostPhysicalId(ulong.MaxValue));
        Assert.Equal(0xFF, HostPhysicalId(ulong.MaxValue, HostIdWidth.Bits8Legacy));
        Assert.Equal(0x123, HostPhysicalId(0xFFF0_0000_0000_0123UL));
    }

    [Theory]
    [InlineData(0x0000_0000_0000_0000UL, 0x8000_0000_0000_0000UL)]
    [InlineData(0x0000_0000_0000_1000UL, 0x8000_0000_0000_1000UL)] // lowest page
    [InlineData(0x0000_0000_0000_0FFFUL, 0x8000_0000_0000_0000UL)] // offset only: dropped
    [InlineData(0x0000_0000_1234_5678UL, 0x8000_0000_1234_5000UL)] // unaligned: offset dropped
    [InlineData(0x0000_0000_1234_5000UL, 0x8000_0000_1234_5000UL)]
    [InlineData(0x000F_FFFF_FFFF_F000UL, 0x800F_FFFF_FFFF_F000UL)] // highest page (bit 51)
    [InlineData(0x0010_0000_0000_0000UL, 0x8000_0000_0000_0000UL)] // bit 52: outside the field
    [InlineData(0xFFFF_FFFF_FFFF_FFFFUL, 0x800F_FFFF_FFFF_F000UL)] // everything else dropped
    public void Create_IsBackingPageOrValid(ulong pa, ulong expected)
    {
        ulong e = Create(pa);
        Assert.Equal(expected, e);
        Assert.True(Valid(e));
        Assert.False(IsRunning(e));
        Assert.False(GaLogIntr(e));
        Assert.Equal(0, HostPhysicalId(e));
        Assert.Equal(expected & ~ValidMask, BackingPage(e));
    }

    [Theory]
    [InlineData(0x0000_0000_0000_0000UL, false, false, false, 0x0UL)]
    [InlineData(0x2000_0000_0000_0000UL, false, false, true, 0x0UL)]
    [InlineData(0x4000_0000_0000_0000UL, true, false, false, 0x0UL)]
    [InlineData(0x8000_0000_0000_0000UL, false, true, false, 0x0UL)]
    [InlineData(0xE000_0000_0000_0000UL, true, true, true, 0x0UL)]
    [InlineData(0xC00F_FFFF_FFFF_FFFFUL, true, true, false, 0xF_FFFF_FFFF_F000UL)]
    [InlineData(0x1FF0_0000_0000_0FFFUL, false, false, false, 0x0UL)] // reserved bits set only
    public void FlagAccessors(ulong entry, bool running, bool valid, bool gaLog, ulong page)
    {
        Assert.Equal(running, IsRunning(entry));
        Assert.Equal(valid, Valid(entry));
        Assert.Equal(gaLog, GaLogIntr(entry));
        Assert.Equal(page, BackingPage(entry));
    }

    [Theory]
    [InlineData(0xC000_0000_1234_5003UL, HostIdWidth.Bits12, "valid running host=3 page=0x12345000")]
    [InlineData(0x8000_0000_1234_5003UL, HostIdWidth.Bits12, "valid not-running host=3 page=0x12345000")]
    [InlineData(0x0000_0000_0000_0000UL, HostIdWidth.Bits12, "invalid not-running host=0 page=0x0")]
    [InlineData(0xA00F_FFFF_FFFF_FFFFUL, HostIdWidth.Bits12, "valid not-running ga-log-intr host=4095 page=0xffffffffff000")]
    [InlineData(0x8000_0000_0000_0ABCUL, HostIdWidth.Bits8Legacy, "valid not-running host=188 page=0x0 rsvd=0xa00")]
    [InlineData(0x8010_0000_0000_0001UL, HostIdWidth.Bits12, "valid not-running host=1 page=0x0 rsvd=0x10000000000000")]
    public void Format_ForTraces(ulong entry, HostIdWidth width, string expected)
        => Assert.Equal(expected, Format(entry, width));
}
