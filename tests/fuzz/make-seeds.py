#!/usr/bin/env python3
"""
tests/fuzz/make-seeds.py [BUILD] - writes the committed seed corpus,
tests/fuzz/corpus/NAME/, a few small inputs per harness (tests/fuzz/fuzz_NAME.c
says how each reads its input). The multiboot1 seeds include a stripped test
guest from BUILD/guests (build/release by default) when it has been built.
Rerun after changing an input format; libFuzzer finds the rest. The other
files there are inputs a `make fuzz` run found (its merged corpus, for the
harnesses where that stays small).
"""
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def put(name, seeds):
    """Writes seed-NN files; other files (inputs kept from `make fuzz`
    runs, named by their SHA-1) stay."""
    d = os.path.join(CORPUS, name)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        if f.startswith("seed-"):
            os.remove(os.path.join(d, f))
    for i, data in enumerate(seeds):
        with open(os.path.join(d, "seed-%02d" % i), "wb") as f:
            f.write(data)


# ---- instruction decoder, emulator, IOIO -----------------------------------

INSNS = [  # (mode index 0/1/2 = 16/32/64, hex)
    (2, "48 89 d8"), (2, "8b 05 78 56 34 12"), (2, "f3 48 a5"), (2, "66 67 f3 2e 48 a5"),
    (1, "8b 04 65 78 56 34 12"), (0, "8b 46 fe"), (2, "c4 e2 79 18 00"),
    (2, "62 f1 7c 48 10 00"), (1, "0f b6 03"), (2, "41 c7 04 24 78 56 34 12"),
    (2, "f0 0f c1 08"), (1, "a1 78 56 34 12"), (0, "f3 6e"), (2, "0f a3 08"),
]

# Instructions the MMIO emulator performs (header: mode, flags, fault bits, regs).
EMU = ["89 08", "8b 08", "c7 00 78 56 34 12", "01 08", "f6 00 12", "f3 a5", "f3 aa",
       "0f b7 08", "0f be 08", "87 08", "0f c1 08", "0f b1 08", "a3 44 33 22 11",
       "0f ab 08", "ff 00", "80 30 5a", "f3 a4", "f3 6c", "6d", "66 f3 6f", "f3 6e",
       "67 f3 6d"]


def hexb(s):
    return bytes(int(x, 16) for x in s.split())


def emu_header(mode, faults=0, regs_seed=0x1122334455667788):
    return bytes([mode | 0x20, 0x02, 0x00, faults, 0]) + struct.pack("<Q", regs_seed)


# ---- device records (tests/fuzz/device_fuzz.h) -------------------------------

READ, WRITE, TIME, EXTRA = 0, 2, 4, 5


def rec(kind, where, size, value=0, shift=0):
    return struct.pack("<BHBI", kind | shift << 3, where, size, value)


def pio(port_index, val, size=0):
    return rec(WRITE, port_index, size, val)


def mmio(off, val=None, size=3, vcpu=0):
    where = off | vcpu << 12
    return rec(READ if val is None else WRITE, where, 0x80 | size, val or 0)


def pic_seeds():
    # where: 0/1 = 0x20/0x21, 2/3 = 0xa0/0xa1, 4/5 = ELCR
    init = b"".join([pio(0, 0x11), pio(1, 0x20), pio(1, 0x04), pio(1, 0x01),
                     pio(2, 0x11), pio(3, 0x28), pio(3, 0x02), pio(3, 0x01),
                     pio(1, 0x00), pio(3, 0x00)])
    irqs = b"".join([rec(EXTRA, 0, 0, 1), rec(EXTRA, 0x8000, 0, 0), pio(0, 0x20),
                     rec(EXTRA, 8, 0, 1), rec(EXTRA, 0x8000, 0, 0), pio(2, 0x20), pio(0, 0x20),
                     pio(0, 0x0b), rec(READ, 0, 0), pio(4, 0x20), rec(EXTRA, 5, 0, 1)])
    return [init, init + irqs, init + pio(0, 0x0c) + rec(EXTRA, 3, 0, 1) + rec(READ, 0, 0)]


def pit_seeds():
    # where: 0-2 channels, 3 control, 4 port 0x61
    mode2 = pio(3, 0x34) + pio(0, 0x9c) + pio(0, 0x2e) + rec(TIME, 0, 0, 50000000)
    return [mode2, pio(3, 0x30) + pio(0, 0x01) + pio(0, 0) + rec(TIME, 0, 0, 1000000, 3),
            pio(4, 0x01) + pio(3, 0xb6) + pio(2, 0x00) + pio(2, 0x10) + pio(3, 0x80) +
            rec(READ, 2, 0) + rec(READ, 2, 0) + pio(3, 0xe2) + rec(READ, 2, 0)]


def uart_seeds():
    init = b"".join([pio(3, 0x80), pio(0, 0x01), pio(1, 0x00), pio(3, 0x03),
                     pio(2, 0xc7), pio(4, 0x0b), pio(1, 0x0f)])
    rx = rec(EXTRA, 0x6968, 0, 0x6c6c6568) + rec(READ, 2, 0) + rec(READ, 0, 0) + rec(READ, 5, 0)
    return [init, init + rx, init + pio(4, 0x1b) + pio(0, 0x41) + rec(READ, 0, 0) + rec(READ, 6, 0)]


def rtc_seeds():
    def rd(i):
        return pio(0, i) + rec(READ, 1, 0)
    clock = b"".join(rd(i) for i in (0, 2, 4, 6, 7, 8, 9, 0x32, 0x0a))
    setit = pio(0, 0x0b) + pio(1, 0x86) + pio(0, 0x04) + pio(1, 0x17) + pio(0, 0x0b) + pio(1, 0x06)
    periodic = pio(0, 0x0a) + pio(1, 0x23) + pio(0, 0x0b) + pio(1, 0x52) + \
        rec(TIME, 0, 0, 3000000) + rd(0x0c) + rec(TIME, 0, 0, 2000000000, 1) + rd(0x0c)
    return [clock, setit + clock, periodic, pio(0, 0x0b) + pio(1, 0x02) + pio(0, 0x04) + pio(1, 0x92) + clock]


def i8042_seeds():
    # where 0 = 0x60, 1 = 0x64
    return [pio(1, 0x20) + rec(READ, 0, 0) + pio(1, 0x60) + pio(0, 0x45),
            pio(1, 0xd1) + pio(0, 0xdd) + pio(1, 0xd0) + rec(READ, 0, 0) + pio(1, 0xaa) + rec(READ, 0, 0),
            pio(1, 0xd2) + pio(0, 0x1c) + rec(READ, 1, 0) + rec(READ, 0, 0) + pio(1, 0xfe)]


def sysctl_seeds():
    return [pio(1, 0x02) + rec(READ, 1, 0) + pio(0, 0x55) + rec(READ, 0, 0), pio(1, 0x03) + rec(READ, 1, 0)]


def pci_seeds():
    # where 0-3 = 0xcf8.., 4-7 = 0xcfc..
    return [pio(0, 0x80000000, 2) + rec(READ, 4, 2) + rec(READ, 6, 1),
            pio(0, 0x80000008, 2) + rec(READ, 4, 2) + pio(0, 0x80000800, 2) + rec(READ, 4, 2)]


def pm_timer_seeds():
    return [rec(READ, 0, 2) + rec(TIME, 0, 0, 1000000) + rec(READ, 0, 2) + rec(EXTRA, 0, 0, 5000) + rec(READ, 1, 1)]


def acpi_pm_seeds():
    # where 0-3 PM1a_EVT, 4-5 PM1a_CNT, 6 reset
    return [rec(READ, 4, 1) + pio(2, 0x0120, 1) + rec(READ, 0, 2),
            pio(4, 0x2001, 1) + rec(READ, 0, 1) + pio(0, 0x8000, 1),
            pio(4, 0x3401, 1), pio(6, 0x01), rec(EXTRA, 0, 0, 0x31)]


def hpet_seeds():
    # MMIO offsets of devices/hpet.h; 8-byte accesses unless said (size code 7)
    def w(off, val, size=7):
        return mmio(off, val, size)
    on = w(0x10, 1)
    oneshot = on + w(0x100, 0x4 | 20 << 9) + w(0x108, 1000) + rec(TIME, 0, 0, 20000) + \
        mmio(0xf0) + mmio(0x108)
    periodic = on + w(0x120, 0x4c | 21 << 9) + w(0x128, 5000, 3) + w(0x128, 5000, 3) + \
        rec(TIME, 0, 0, 1000000) + mmio(0x128, size=3)
    level = on + w(0x140, 0x106 | 22 << 9) + w(0x148, 300, 3) + rec(TIME, 0, 0, 10000) + \
        mmio(0x20) + w(0x20, 4) + w(0x10, 3) + rec(TIME, 0, 0, 200000)
    legacy = w(0xf0, 0xfffffff0) + w(0x10, 3) + w(0x100, 0x4c) + w(0x108, 10, 3) + \
        w(0x108, 10, 3) + w(0x120, 0x6) + w(0x128, 2000) + rec(TIME, 0, 0, 3000000) + \
        w(0x10, 1) + mmio(0x0, size=3) + mmio(0x4, size=3) + w(0x11, 0x02, 0)
    return [oneshot, periodic, level, legacy]


def ioapic_seeds():
    def reg(r, v):
        return mmio(0, r, 2) + mmio(0x10, v, 3)
    edge = reg(0x10 + 2 * 2, 0x30) + reg(0x11 + 2 * 2, 0x01000000) + rec(EXTRA, 2, 0, 1) + rec(EXTRA, 2, 0, 0)
    level = reg(0x10 + 2 * 9, 0xa039) + rec(EXTRA, 9, 0, 1) + rec(EXTRA, 0x8000, 0, 0x39) + \
        rec(EXTRA, 9, 0, 0) + rec(EXTRA, 0x8000, 0, 0x39)
    # As Linux programs an entry: the high half (destination) first.
    linux = reg(0x11 + 2 * 4, 0x02000000) + reg(0x10 + 2 * 4, 0x8031) + rec(EXTRA, 4, 0, 1) + \
        reg(0x10 + 2 * 4, 0x18031)
    return [edge, level, linux, reg(0, 0x0f000000) + mmio(0, 1, 2) + mmio(0x10) + mmio(0x13, None, 0)]


def lapic_seeds():
    enable = mmio(0xf0, 0x1ff) + mmio(0xf0, 0x1ff, vcpu=1)
    timer = mmio(0x3e0, 0x0b) + mmio(0x320, 0x20030) + mmio(0x380, 1000) + \
        rec(TIME, 0, 0, 2000000) + rec(EXTRA, 2, 0) + mmio(0xb0, 0) + mmio(0x390)
    ipi = mmio(0x310, 0x01000000) + mmio(0x300, 0x40) + rec(EXTRA, 0x1002, 0) + \
        mmio(0x300, 0x4500) + mmio(0x300, 0x4608) + rec(EXTRA, 0x1006, 0)
    prio = mmio(0x80, 0x50) + rec(EXTRA, 0, 0, 0x41) + rec(EXTRA, 0, 0, 0x61) + rec(EXTRA, 2, 0) + \
        mmio(0xa0) + mmio(0x90) + rec(EXTRA, 4, 0, 3) + mmio(0x80)
    tsc = mmio(0x320, 0x40031) + rec(EXTRA, 5, 0, 0x100000) + rec(TIME, 0, 0, 1000000)
    return [enable, enable + timer, enable + ipi, enable + prio, enable + tsc]


def testdev_seeds():
    # 0x1000-0x1fff is BAR 1 (MSI-X table at 0x1000, PBA at 0x1800); the
    # extra action writes the command register (even where) or the MSI-X
    # capability's first dword (odd where).
    msix = (mmio(0x1010, 0xfee01000, 7) + mmio(0x1018, 0x41, 3) + mmio(0x101c, 0, 3) +
            rec(EXTRA, 1, 0, 0x80000000) + mmio(0x844, 1, 0) + mmio(0x844, 0, 0) +
            mmio(0x1800, None, 7) + mmio(0x100c, 0, 3) + rec(EXTRA, 1, 0, 0xc0000000) +
            mmio(0x844, 1, 0) + rec(EXTRA, 1, 0, 0x80000000))
    intx = (rec(EXTRA, 1, 0, 0) + mmio(0x844, 2, 0) + mmio(0x848, None, 3) +
            rec(EXTRA, 0, 0, 0x402) + mmio(0x848, 0, 0) + mmio(0x844, 0, 0) +
            rec(EXTRA, 0, 0, 0x2))
    return [mmio(0x10, 0x11223344, 3) + mmio(0x10, None, 3) + mmio(0x800, None, 3) + mmio(0x80c, None, 3),
            mmio(0x7fe, 0xaabbccdd, 7) + mmio(0x7fc, None, 7) + mmio(0x840, 1, 3),
            msix, intx]


def virtio_pci_seeds():
    # tests/fuzz/fuzz_virtio_pci.c: BAR 0 of the transport (common config at
    # 0, ISR 0x1000, device config 0x2000, notify 0x3000, MSI-X 0x4000/0x5000);
    # extra: where % 4 == 0 the command register, 1 the MSI-X capability,
    # 2/3 four bytes of RAM at where & ~3. The harness writes val ^ 0x5a5a5a5a
    # for accesses of up to 4 bytes: w() undoes that.
    def w(off, v, n):
        return mmio(off, (v ^ 0x5a5a5a5a) & ((1 << (8 * n)) - 1), n - 1)

    def r(off, n):
        return mmio(off, None, n - 1)

    def ram(addr, v):
        return rec(EXTRA, addr | 2, 0, v)
    nego = (w(0x14, 1, 1) + w(0x14, 3, 1) + w(0x08, 0, 4) + w(0x0c, 1 << 29, 4) +
            w(0x08, 1, 4) + w(0x0c, 1, 4) + w(0x14, 11, 1) + r(0x14, 1))
    queue = (w(0x16, 0, 2) + w(0x18, 4, 2) + w(0x1a, 1, 2) + w(0x20, 0x1000, 4) +
             w(0x24, 0, 4) + w(0x28, 0x2000, 4) + w(0x2c, 0, 4) + w(0x30, 0x3000, 4) +
             w(0x34, 0, 4) + w(0x1c, 1, 2))
    chain = (ram(0x1000, 0x8000) + ram(0x1004, 0) + ram(0x1008, 16) + ram(0x100c, 2) +
             ram(0x2000, 0x10000) + ram(0x2004, 0))
    live = w(0x14, 15, 1)
    notify = w(0x3000, 0, 2) + r(0x1000, 1) + r(0x3004, 2)
    msix = (w(0x4010, 0xfee00000, 4) + w(0x4018, 0x41, 4) + w(0x401c, 0, 4) +
            rec(EXTRA, 1, 0, 0x80000000))
    bad = (w(0x16, 1, 2) + w(0x20, 0xfffff000, 4) + w(0x1c, 1, 2) + r(0x14, 1) +
           w(0x3008, 0, 2) + w(0x14, 0, 1))
    return [nego + queue + chain + live + notify,
            msix + nego + queue + chain + live + notify + r(0x5000, 8),
            nego + bad + r(0x12, 2) + r(0x2000, 4) + w(0x2004, 0x5a5a, 2) + r(0x15, 1),
            w(0x14, 4, 1) + w(0x14, 8, 1) + r(0x14, 4) + r(0x04, 4) + w(0x00, 1, 4) + r(0x04, 4)]


def msix_seeds():
    # tests/fuzz/fuzz_msix.c: 2 header bytes, then (op, where, size - 1, value)
    def r(op, where, size, val=0):
        return struct.pack("<BHBI", op, where, size - 1, val)
    W, R, RAISE, CTRL, RESET = range(5)
    entry = r(W, 0x10, 8, 0xfee01000) + r(W, 0x18, 4, 0x41) + r(W, 0x1c, 4, 0)
    basic = entry + r(CTRL, 0, 2, 0x8000) + r(RAISE, 1, 1) + r(RAISE, 0, 1) + r(R, 0x40, 8) + \
        r(W, 0x0c, 1, 0) + r(CTRL, 0, 2, 0xc000) + r(RAISE, 1, 1) + r(CTRL, 0, 2, 0x8000)
    odd = r(W, 0x13, 5, 0x12345678) + r(R, 0x11, 7) + r(W, 0x3e, 8, 0) + r(RESET, 0, 1)
    return [bytes([3, 0]) + basic, bytes([63, 1]) + entry + odd + basic,
            bytes([0, 4]) + r(CTRL, 0, 2, 0x8000) + r(RAISE, 0, 1) + r(W, 0x0c, 4, 0)]


# ---- boot information and command lines ------------------------------------

def mb2_tag(t, payload):
    b = struct.pack("<II", t, 8 + len(payload)) + payload
    return b + b"\0" * (-len(b) % 8)


def mb2_block(tags):
    body = b"".join(tags) + mb2_tag(0, b"")
    return struct.pack("<II", 8 + len(body), 0) + body


def mb2_seeds():
    mmap = struct.pack("<II", 24, 0) + b"".join(
        struct.pack("<QQII", b, l, t, 0) for b, l, t in
        [(0, 0x9fc00, 1), (0x9fc00, 0x400, 2), (0xf0000, 0x10000, 2), (0x100000, 0x3fee0000, 1),
         (0x3ffe0000, 0x20000, 2), (0xfffc0000, 0x40000, 2)])
    rsdp = b"RSD PTR " + bytes(12)
    return [mb2_block([mb2_tag(1, b"loglevel=debug\0"), mb2_tag(2, b"GRUB 2.06\0"), mb2_tag(6, mmap),
                       mb2_tag(3, struct.pack("<II", 0x200000, 0x210000) + b"/guests/a.elf name=a\0"),
                       mb2_tag(14, rsdp)]),
            mb2_block([mb2_tag(1, b"\0"), mb2_tag(6, mmap[:8 + 48]),
                       mb2_tag(8, struct.pack("<QIIIBBH", 0xfd000000, 4096, 1024, 768, 32, 1, 0) +
                               bytes([16, 8, 8, 8, 0, 8]))])]


# ---- loaders ------------------------------------------------------------------

def mb1_aout():
    load = 0x100000
    text = b"\xb8\x00\x00\x00\x00\xf4" * 8
    hdr = struct.pack("<III", 0x1BADB002, 0x10003, -(0x1BADB002 + 0x10003) & 0xffffffff)
    img_len = 32 + len(text)
    hdr += struct.pack("<IIIII", load, load, load + img_len, load + img_len + 0x1000, load + 32)
    return hdr + text


def mb1_seeds(build):
    seeds = [b"\x01\x02\x10" + mb1_aout(), b"\x00\x00\x00" + mb1_aout()]
    elf = os.path.join(build, "guests", "tests", "guests", "heartbeat.elf")
    if os.path.exists(elf):
        with tempfile.TemporaryDirectory() as t:
            out = os.path.join(t, "g.elf")
            subprocess.run(["strip", "-s", "-o", out, elf], check=True)
            seeds.append(b"\x02\x01\x20" + open(out, "rb").read())
    return seeds


def bzimage(version=0x020f, setup_sects=4, xlf=0x7f, pm=8192, init_size=0x800000, pref=0x1000000):
    img = bytearray(512 * (1 + setup_sects) + pm)
    struct.pack_into("<B", img, 0x1f1, setup_sects)
    struct.pack_into("<H", img, 0x1fe, 0xaa55)
    struct.pack_into("<BB", img, 0x200, 0xeb, 0x6a if version >= 0x020c else 0x3a)
    img[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", img, 0x206, version)
    struct.pack_into("<B", img, 0x211, 0x01)            # LOADED_HIGH
    struct.pack_into("<I", img, 0x214, 0x100000)
    struct.pack_into("<I", img, 0x22c, 0x7fffffff)      # initrd_addr_max
    struct.pack_into("<I", img, 0x230, 0x200000)        # kernel_alignment
    struct.pack_into("<B", img, 0x234, 1)               # relocatable
    struct.pack_into("<B", img, 0x235, 21)
    struct.pack_into("<H", img, 0x236, xlf)
    struct.pack_into("<I", img, 0x238, 2047)            # cmdline_size
    if version >= 0x020a:
        struct.pack_into("<Q", img, 0x258, pref)
        struct.pack_into("<I", img, 0x260, init_size)
    return bytes(img)


def linux_seeds():
    return [b"\x01\x04\x10" + bzimage(), b"\x01\x00\x40" + bzimage(version=0x0206, xlf=0),
            b"\x02\x10\x00" + bzimage(setup_sects=0, init_size=0x100000, pref=0x200000)]


def tables_seed(ncpus, flags, base=0, buflen=0x2000, mem=64 << 20):
    return struct.pack("<BBBBHHHHIIIHBBQ", ncpus, 0, 9, 1, 0xb008, 0xb000, 0xb004, 0xb00c,
                       0xfec00000, 0xfee00000, base, buflen, flags, 0, mem)


def walk_seed(mode, flags, access, cr3, la, entries, size=0x7000):
    """fuzz_walk.c: header, then guest-physical memory with the entries
    {gpa: (value, bytes)} in it."""
    mem = bytearray(size)
    for gpa, (value, n) in entries.items():
        mem[gpa:gpa + n] = value.to_bytes(n, "little")
    return struct.pack("<BBBBQQ", mode, flags, access, 40, cr3, la) + bytes(mem)  # MAXPHYADDR 40


def walk_seeds():
    nx = 1 << 63
    long4 = {0x1000: (0x2007, 8), 0x2000: (0x3007, 8), 0x3000: (0x4007, 8),
             0x4008: (0x5007 | nx, 8)}
    return [walk_seed(0, 0, 0, 0, 0x1fee00030, {}, size=0),
            walk_seed(1, 5, 6, 0x1000, 0x401234, {0x1004: (0x2007, 4), 0x2004: (0x5005, 4)}),
            walk_seed(1, 4, 2, 0x1000, 0x400000, {0x1004: (0x00c00087 | 0x12 << 13, 4)}),
            walk_seed(2, 2, 0x10, 0x1000, 0x1000, {0x1000: (0x2001, 8), 0x2000: (0x3007, 8),
                                                  0x3008: (0x5007 | nx, 8)}),
            walk_seed(3, 3, 0x16, 0x1000, 0x1abc, long4),
            walk_seed(4, 2, 0x10, 0x6000, 0x1abc, {**long4, 0x6000: (0x1007, 8)})]


# ---- the split virtqueue (tests/fuzz/fuzz_virtqueue.c) ------------------------

VQ_DESC, VQ_AVAIL, VQ_USED, VQ_ITAB = 0x100, 0x200, 0x300, 0x400


def vq_seed(descs, heads, log2size=3, features=0, cap=16, max_len=0x1000,
            mutate=0, itab=(), avail_idx=None):
    """descs/itab: {index: (addr, len, flags, next)}; heads: the avail ring."""
    ram = bytearray(0xa00)
    for table, entries in ((VQ_DESC, descs), (VQ_ITAB, dict(itab))):
        for i, (addr, ln, flags, nxt) in entries.items():
            struct.pack_into("<QIHH", ram, table + 16 * i, addr, ln, flags, nxt)
    struct.pack_into("<HH", ram, VQ_AVAIL, 0, len(heads) if avail_idx is None else avail_idx)
    for i, h in enumerate(heads):
        struct.pack_into("<H", ram, VQ_AVAIL + 4 + 2 * i, h)
    hdr = struct.pack("<BBBHHHHBI", log2size, features, cap - 1, max_len >> 4,
                      VQ_DESC, VQ_AVAIL, VQ_USED, mutate, 0x12345678)
    return hdr + bytes(ram)


def vq_seeds():
    N, W, I = 1, 2, 4
    blk = {0: (0x800, 16, N, 1), 1: (0x880, 64, N, 2), 2: (0x900, 1, W, 0)}
    itab = {0: (0x800, 16, N, 2), 2: (0x880, 32, N | W, 1), 1: (0x900, 8, W, 0)}
    return [
        vq_seed(blk, [0]),
        vq_seed({3: (VQ_ITAB, 48, I, 0), 0: (0x980, 4, N, 4), 4: (VQ_ITAB, 48, I, 0)},
                [3, 0], features=1, itab=itab),
        vq_seed(blk, [0, 0, 0, 0], features=2 | 4 | 8),
        vq_seed({0: (0x800, 8, N, 1), 1: (0x800, 8, N, 0)}, [0]),          # a loop
        vq_seed(blk, [0, 0, 0], mutate=3),
        vq_seed({i: (0x800 + 16 * i, 16, W, 0) for i in range(8)}, list(range(8))),
        vq_seed({0: (0x6000, 16, 0, 0)}, [0]),                             # in the hole
        vq_seed(blk, [0], avail_idx=9),                                    # too far ahead
    ]



def virtio_net_seeds():
    """fuzz_virtio_net: features byte (bit 0/1 MRG_RXBUF for A/B, bit 2
    INDIRECT_DESC, bit 3 A spoofs, bits 4-5 the queues' size), rounds byte, then A's and B's RAM
    (16 KiB each; receiveq1 at 0/0x80/0x100, transmitq1 at
    0x200/0x280/0x300, queues of 8): frames to the other, broadcast,
    malformed headers, oversized, split over descriptors, small buffers."""
    W, N = 2, 1
    a_mac, b_mac = bytes([2, 0, 0, 0, 0, 1]), bytes([2, 0, 0, 0, 0, 2])

    def side():
        return bytearray(0x4000)

    def desc(r, q, i, addr, ln, flags=0, nxt=0):
        struct.pack_into("<QIHH", r, 0x200 * q + 16 * i, addr, ln, flags, nxt)

    def offer(r, q, heads):
        for k, h in enumerate(heads):
            struct.pack_into("<H", r, 0x200 * q + 0x80 + 4 + 2 * k, h)
        struct.pack_into("<H", r, 0x200 * q + 0x82, len(heads))

    def rx(r, n, size):
        for k in range(n):
            desc(r, 0, k, 0x1000 + 0x600 * k, size, W)
        offer(r, 0, list(range(n)))

    def frame(r, at, dst, src, ln, flags=0, gso=0):
        r[at:at + 12] = bytes([flags, gso]) + bytes(10)
        body = bytes(dst) + bytes(src) + b"\x08\x00" + bytes((k * 7) & 255 for k in range(max(0, ln - 14)))
        r[at + 12:at + 12 + ln] = body[:ln]
        return 12 + ln

    def tx(r, frames):
        heads = []
        for k, (dst, src, ln, flags, gso) in enumerate(frames):
            at = 0x400 + 0x700 * k
            desc(r, 1, k, at, frame(r, at, dst, src, ln, flags, gso))
            heads.append(k)
        offer(r, 1, heads)

    seeds = []
    bc = b"\xff" * 6
    # A sends to B and broadcasts; B answers; both have buffers.
    a, b = side(), side()
    rx(a, 4, 0x600)
    rx(b, 4, 0x600)
    tx(a, [(b_mac, a_mac, 98, 0, 0), (bc, a_mac, 42, 0, 0)])
    tx(b, [(a_mac, b_mac, 98, 0, 0)])
    seeds.append(bytes([0, 3]) + a + b)
    # Queues of 1 (bits 4-5 = 1), B with MRG_RXBUF: one frame, one buffer.
    a, b = side(), side()
    rx(b, 1, 0x600)
    tx(a, [(b_mac, a_mac, 98, 0, 0)])
    seeds.append(bytes([0x12, 3]) + a + b)
    # Mergeable buffers at B, small ones; a full-size frame.
    a, b = side(), side()
    rx(b, 8, 256)
    tx(a, [(b_mac, a_mac, 1514, 0, 0), (b_mac, a_mac, 1518, 0, 0)])
    seeds.append(bytes([2, 4]) + a + b)
    # Malformed: NEEDS_CSUM, a GSO type, empty, short, oversized.
    a, b = side(), side()
    rx(b, 4, 0x600)
    tx(a, [(b_mac, a_mac, 60, 1, 0), (b_mac, a_mac, 60, 0, 1), (b_mac, a_mac, 0, 0, 0),
           (b_mac, a_mac, 13, 0, 0), (b_mac, a_mac, 1519, 0, 0)])
    seeds.append(bytes([0, 2]) + a + b)
    # A spoofing B's MAC; B with no buffers (the backlog fills).
    a, b = side(), side()
    tx(a, [(bc, b_mac, 60, 0, 0)] + [(b_mac, a_mac, 60, 0, 0)] * 7)
    seeds.append(bytes([8, 7]) + a + b)
    # Header and frame in two descriptors; an indirect table.
    a, b = side(), side()
    rx(b, 2, 0x600)
    frame(a, 0x400, b_mac, a_mac, 200)
    desc(a, 1, 0, 0x400, 12, N, 1)
    desc(a, 1, 1, 0x40c, 200)
    struct.pack_into("<QIHH", a, 0x3000, 0x400, 12, N, 1)
    struct.pack_into("<QIHH", a, 0x3010, 0x40c, 200, 0, 0)
    desc(a, 1, 2, 0x3000, 32, 4)
    offer(a, 1, [0, 2])
    seeds.append(bytes([4, 2]) + a + b)
    # Offload: a TCP/IPv4 GSO frame from A (offload, bit 6); B without
    # (segmented for it), then B with offload and MRG_RXBUF (as is).
    gf, l4 = tcp4_frame(b_mac, a_mac, 3000)
    ghdr = struct.pack("<BBHHHHH", 1, 1, l4 + 20, 1000, l4, 16, 0)
    for feats in (0x40, 0xc2):
        a, b = side(), side()
        rx(b, 8, 0x600)
        a[0x2000:0x2000 + 12 + len(gf)] = ghdr + gf
        desc(a, 1, 0, 0x2000, 12 + len(gf))
        offer(a, 1, [0])
        seeds.append(bytes([feats, 3]) + a + b)
    return seeds


def csum16(b):
    """RFC 1071 one's-complement sum of b, folded (not inverted)."""
    if len(b) % 2:
        b = b + b"\0"
    t = sum(struct.unpack(">%dH" % (len(b) // 2), b))
    while t >> 16:
        t = (t & 0xffff) + (t >> 16)
    return t


def tcp4_frame(dst, src, payload, vlan=False, tcp_hl=20, flags=0x18):
    """A TCP/IPv4 frame as a sender with NEEDS_CSUM hands it: the TCP
    checksum field holds the pseudo-header's sum. Returns (frame, l4)."""
    eth = bytes(dst) + bytes(src) + (b"\x81\x00\x00\x05\x08\x00" if vlan else b"\x08\x00")
    data = bytes((k * 7 + k // 251) & 255 for k in range(payload))
    ip = bytearray(struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + tcp_hl + payload, 0x1234, 0x4000,
                               64, 6, 0, bytes([10, 0, 0, 2]), bytes([10, 0, 0, 1])))
    struct.pack_into(">H", ip, 10, 0xffff - csum16(bytes(ip)))
    tcp = bytearray(tcp_hl)
    struct.pack_into(">HHIIBBH", tcp, 0, 5001, 80, 0xffffff00, 1, (tcp_hl // 4) << 4, flags, 65535)
    pseudo = csum16(bytes(ip[12:20]) + struct.pack(">HH", 6, tcp_hl + payload))
    struct.pack_into(">H", tcp, 16, pseudo)
    return eth + bytes(ip) + bytes(tcp) + data, len(eth) + 20


def tcp6_frame(dst, src, payload, tcp_hl=20, flags=0x18):
    """The same over IPv6 (RFC 8200: the pseudo-header of 8.1)."""
    eth = bytes(dst) + bytes(src) + b"\x86\xdd"
    data = bytes((k * 5 + k // 241) & 255 for k in range(payload))
    s6, d6 = bytes([0xfd] + [0] * 14 + [2]), bytes([0xfd] + [0] * 14 + [1])
    ip = struct.pack(">IHBB16s16s", 6 << 28, tcp_hl + payload, 6, 64, s6, d6)
    tcp = bytearray(tcp_hl)
    struct.pack_into(">HHIIBBH", tcp, 0, 5001, 80, 0xfffff000, 1, (tcp_hl // 4) << 4, flags, 65535)
    pseudo = csum16(s6 + d6 + struct.pack(">IHH", tcp_hl + payload, 0, 6))
    struct.pack_into(">H", tcp, 16, pseudo)
    return eth + ip + bytes(tcp) + data, len(eth) + 40


def net_offload_seeds():
    """fuzz_net_offload: flags, gso_type, gso_size, csum_start,
    csum_offset (le16), then the frame."""
    def meta(flags, gso, size, start, off):
        return struct.pack("<BBHHH", flags, gso, size, start, off)
    a, b = bytes([2, 0, 0, 0, 0, 1]), bytes([2, 0, 0, 0, 0, 2])
    seeds = []
    f, l4 = tcp4_frame(b, a, 600)
    seeds.append(meta(1, 0, 0, l4, 16) + f)               # a partial checksum
    seeds.append(meta(0, 0, 0, 0, 0) + f)                 # none
    f, l4 = tcp4_frame(b, a, 4000, tcp_hl=32, flags=0x99)
    seeds.append(meta(1, 1, 1448, l4, 16) + f)            # GSO, FIN PSH CWR
    f, l4 = tcp4_frame(b, a, 3000, vlan=True)
    seeds.append(meta(1, 1, 1000, l4, 16) + f)            # GSO behind a VLAN tag
    f, l4 = tcp4_frame(b, a, 65535 - 40)
    seeds.append(meta(1, 1, 1460, l4, 16) + f)            # the largest
    seeds.append(meta(1, 1, 0, l4, 16) + f[:200])         # gso_size 0
    seeds.append(meta(1, 0, 0, 0xfff0, 0x20) + f[:100])   # the field outside
    f, l4 = tcp6_frame(b, a, 5000, flags=0x99)
    seeds.append(meta(1, 2, 1440, l4, 16) + f)            # TCP/IPv6 GSO
    seeds.append(meta(1, 1, 1440, l4, 16) + f)            # ... typed TCPV4: refused
    f, l4 = tcp6_frame(b, a, 65535 - 20)
    seeds.append(meta(1, 2, 1440, l4, 16) + f)            # the largest IPv6 one
    return seeds


def net_switch_seeds():
    """fuzz_net_switch: 4-byte records (op: port in bits 0-1, 5 send,
    6 full (bit 6: the link down or up instead), 7 detach/attach; bit 7 a
    length from bytes 1-2, bit 6 addresses from the input; 4 a TCP/IPv4
    frame with offload: bit 7 GSO, bit 6 cycles the port's rx_offload
    instead)."""
    def send(port, dst, src, ln=None, fill=0):
        op = port | 5 << 2 | (0x80 if ln is not None else 0)
        ln = ln or 0
        return bytes([op, (dst if ln == 0 else ln & 255) if op & 0x80 == 0 else ln & 255,
                      (src if op & 0x80 == 0 else ln >> 8), fill])
    seeds = [
        send(0, 1, 0) + send(1, 0, 1) + send(0, 5, 0) + send(3, 0, 3) + send(3, 5, 3),
        send(3, 4, 3) + send(0, 3, 0) + send(0, 6, 0) + send(1, 2, 0) + send(3, 5, 0),
        bytes([2 | 7 << 2, 0, 0, 0]) + send(0, 2, 0) + bytes([2 | 7 << 2, 0, 0, 0]) + send(0, 2, 0),
        bytes([1 | 6 << 2, 0, 0, 0]) + send(0, 1, 0) + send(0, 5, 0, ln=13) + send(0, 5, 0, ln=1518),
        # Port 1 takes checksums and TSO4 (two cycles), port 2 nothing:
        # a GSO frame and a partial checksum, broadcast and to port 1.
        bytes([1 | 4 << 2 | 0x40, 0, 0, 0]) * 2 + bytes([4 << 2 | 0x80, 0x05, 0x10, 200]) +
        bytes([4 << 2 | 0x80, 0x01, 0x10, 241]) + bytes([4 << 2, 0x05, 0x02, 3]),
        # Port 1's link down: a frame to it, one from it, a broadcast;
        # then up again and a frame to it.
        bytes([1 | 6 << 2 | 0x40, 0, 0, 0]) + send(0, 1, 0) + send(1, 0, 1) + send(0, 5, 0) +
        bytes([1 | 6 << 2 | 0x40, 0, 0, 0]) + send(0, 1, 0),
    ]
    return seeds

def virtio_blk_seeds():
    """fuzz_virtio_blk: features byte, notifications byte, then RAM (queue
    of 8: table at 0, avail at 0x80, used at 0x100): reads, writes, flush,
    GET_ID, a read-only disk, WRITE_ZEROES/DISCARD, out of range, an
    unknown type, a chain with no status byte, an indirect table."""
    N, W = 1, 2

    def ram():
        return bytearray(0x4000)

    def desc(r, i, addr, ln, flags, nxt):
        struct.pack_into("<QIHH", r, 16 * i, addr, ln, flags, nxt)

    def offer(r, heads):
        for k, h in enumerate(heads):
            struct.pack_into("<H", r, 0x80 + 4 + 2 * k, h)
        struct.pack_into("<H", r, 0x82, len(heads))

    def hdr(r, at, typ, sector):
        struct.pack_into("<IIQ", r, at, typ, 0, sector)

    seeds = []
    r = ram(); hdr(r, 0x1000, 0, 3); desc(r, 0, 0x1000, 16, N, 1)
    desc(r, 1, 0x2000, 1024, N | W, 2); desc(r, 2, 0x3000, 1, W, 0); offer(r, [0])
    seeds.append(bytes([0x1f, 0]) + r)
    r = ram(); hdr(r, 0x1000, 1, 5); desc(r, 0, 0x1000, 16, N, 1); desc(r, 1, 0x2000, 512, N, 2)
    desc(r, 2, 0x3000, 1, W, 0)
    hdr(r, 0x1100, 4, 0); desc(r, 3, 0x1100, 16, N, 4); desc(r, 4, 0x3010, 1, W, 0)
    hdr(r, 0x1200, 8, 0); desc(r, 5, 0x1200, 16, N, 6); desc(r, 6, 0x3020, 21, W, 0)
    offer(r, [0, 3, 5]); seeds.append(bytes([0x07, 1]) + r)
    r = ram(); hdr(r, 0x1000, 1, 5); desc(r, 0, 0x1000, 16, N, 1); desc(r, 1, 0x2000, 512, N, 2)
    desc(r, 2, 0x3000, 1, W, 0); offer(r, [0]); seeds.append(bytes([0x27, 0]) + r)
    r = ram(); hdr(r, 0x1000, 13, 0); struct.pack_into("<QII", r, 0x1010, 2, 4, 1)
    desc(r, 0, 0x1000, 32, N, 1); desc(r, 1, 0x3000, 1, W, 0)
    hdr(r, 0x1100, 11, 0); struct.pack_into("<QII", r, 0x1110, 60, 8, 0)
    desc(r, 2, 0x1100, 32, N, 3); desc(r, 3, 0x3010, 1, W, 0)
    offer(r, [0, 2]); seeds.append(bytes([0x06, 0]) + r)
    r = ram(); hdr(r, 0x1000, 0, 63); desc(r, 0, 0x1000, 16, N, 1)
    desc(r, 1, 0x2000, 1024, N | W, 2); desc(r, 2, 0x3000, 1, W, 0)
    hdr(r, 0x1100, 99, 0); desc(r, 3, 0x1100, 16, N, 4); desc(r, 4, 0x3010, 1, W, 0)
    hdr(r, 0x1200, 1, 0); desc(r, 5, 0x1200, 16, N, 6); desc(r, 6, 0x2000, 512, 0, 0)
    offer(r, [0, 3, 5]); seeds.append(bytes([0x01, 2]) + r)
    r = ram(); hdr(r, 0x1000, 0, 1)
    struct.pack_into("<QIHH", r, 0x500, 0x1000, 16, N, 1)
    struct.pack_into("<QIHH", r, 0x510, 0x2000, 513, W, 0)
    desc(r, 0, 0x500, 32, 4, 0); offer(r, [0]); seeds.append(bytes([0x08, 0]) + r)
    return seeds


def virtio_console_seeds():
    """fuzz_virtio_console: features byte, a 16-step script (0 notify rx,
    1 notify tx, 2 | n << 2 type n bytes, 3 reset), then RAM (rx queue of
    8 at 0/0x80/0x100, tx at 0x200/0x280/0x300): output lines, input into
    buffers and waiting for more, a reset, an indirect table, a loop."""
    N, W = 1, 2

    def ram():
        return bytearray(0x4000)

    def desc(r, q, i, addr, ln, flags, nxt):
        struct.pack_into("<QIHH", r, 0x200 * q + 16 * i, addr, ln, flags, nxt)

    def offer(r, q, heads):
        for k, h in enumerate(heads):
            struct.pack_into("<H", r, 0x200 * q + 0x80 + 4 + 2 * k, h)
        struct.pack_into("<H", r, 0x200 * q + 0x82, len(heads))

    def script(*ops):
        return bytes(ops) + bytes(16 - len(ops))

    seeds = []
    r = ram(); r[0x1000:0x1010] = b"hello\r\nworld\nab"
    desc(r, 1, 0, 0x1000, 16, 0, 0); desc(r, 0, 0, 0x2000, 4, W, 0)
    desc(r, 0, 1, 0x2100, 64, W, 0); offer(r, 1, [0]); offer(r, 0, [0, 1])
    seeds.append(bytes([0]) + script(1, 0, 2 | 6 << 2, 2 | 3 << 2) + r)
    r = ram(); desc(r, 0, 0, 0x2000, 2, W, 0); offer(r, 0, [0])
    seeds.append(bytes([2]) + script(2 | 5 << 2, 0, 2 | 40 << 2, 3, 2 | 1 << 2, 0) + r)
    r = ram(); r[0x1000:0x1004] = b"tx\n\0"
    struct.pack_into("<QIHH", r, 0x500, 0x1000, 3, 0, 0)
    desc(r, 1, 0, 0x500, 16, 4, 0); desc(r, 1, 1, 0x1000, 3, N, 1); offer(r, 1, [0, 1])
    seeds.append(bytes([1]) + script(1, 1) + r)
    r = ram(); desc(r, 0, 0, 0x2000, 8, 0, 0); desc(r, 0, 1, 0x2100, 8, W, 0)
    desc(r, 0, 2, 0x2200, 8, W | N, 2); offer(r, 0, [0, 1, 2])
    seeds.append(bytes([0]) + script(0, 2 | 20 << 2, 2 | 1 << 2) + r)
    return seeds


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build/release"
    put("decode", [bytes([m]) + hexb(h) for m, h in INSNS])
    put("emulate", [emu_header(i % 3 if i % 3 else 2, faults=0x40 if i == 3 else 0) + hexb(h)
                    for i, h in enumerate(EMU)])
    put("ioio", [struct.pack("<QB", 0x03f8001c, 1) + hexb("f3 6e"),
                 struct.pack("<QB", 0x0cf810c4, 0), struct.pack("<QB", 0x01f0012d, 1),
                 struct.pack("<QB", 0x3f8021c, 2) + hexb("64 67 f3 6e"),
                 struct.pack("<QB", 0x12340041, 1)])
    put("pic", pic_seeds())
    put("pit", pit_seeds())
    put("uart", uart_seeds())
    put("rtc", rtc_seeds())
    put("i8042", i8042_seeds())
    put("sysctl", sysctl_seeds())
    put("pci_host", pci_seeds())
    put("pm_timer", pm_timer_seeds())
    put("acpi_pm", acpi_pm_seeds())
    put("ioapic", ioapic_seeds())
    put("hpet", hpet_seeds())
    put("lapic", lapic_seeds())
    put("testdev", testdev_seeds())
    put("msix", msix_seeds())
    put("virtio_pci", virtio_pci_seeds())
    put("multiboot2", mb2_seeds())
    put("options", [b"\x80loglevel=debug console=com2,fb on_idle=exit x2apic=1",
                    b"\x10console=0x2f8 loglevel=loud bogus", b"\x00 on_idle=halt"])
    put("vmdesc", [b"/guests/hello.elf name=hello mem=16M vcpus=2 cpus=0,2-3 -- a b",
                   b"attach=hello -- module string", b"name=lin kind=linux mem=0x4000000 on_reset=reboot trace=1 testdev=1",
                   b"64KiB",
                   b"name=a disk=module:root disk=module:data,ro,size=64M,serial=SN-1",
                   b"/disks/data.img image=data",
                   b"name=n net=mac=52:54:00:12:34:56 rng=on", b"name=m net=on",
                   b"name=o net=on,offload=off",
                   b"name=a disk=gpt:alpha-root,ro disk=partuuid:0123abcd-89ab-cdef-0123-456789abcdef "
                   b"disk=serial:yakvm-test-1,serial=s1"])
    put("multiboot1", mb1_seeds(build))
    put("linux", linux_seeds())
    put("walk", walk_seeds())
    put("virtqueue", vq_seeds())
    put("gpt", gpt_seeds())
    put("nic", nic_seeds())
    put("virtio_blk", virtio_blk_seeds())
    put("virtio_net", virtio_net_seeds())
    put("net_switch", net_switch_seeds())
    put("net_offload", net_offload_seeds())
    put("virtio_console", virtio_console_seeds())
    put("tables", [tables_seed(1, 1), tables_seed(4, 1, mem=5 << 30), tables_seed(255, 1, buflen=0x1000),
                   tables_seed(2, 0, base=0xf0000, buflen=600), tables_seed(16, 2),
                   tables_seed(4, 9)])


# ---- NIC (fuzz_nic.c: one byte choosing the part, then its records)

def nic_seeds():
    def used(adv, id_, ln):
        return bytes([adv]) + struct.pack("<II", id_, ln)
    mac = bytes.fromhex("525400123456")
    bootp = bytearray(236 + 312)
    bootp[0], bootp[1], bootp[2] = 2, 1, 6
    bootp[4:8] = (0x79616b76).to_bytes(4, "big")
    bootp[16:20] = bytes([10, 0, 2, 15])
    bootp[28:34] = mac
    bootp[236:240] = bytes([0x63, 0x82, 0x53, 0x63])
    bootp[240:250] = bytes([53, 1, 2, 54, 4, 10, 0, 2, 2, 255])
    udp = struct.pack(">HHHH", 67, 68, 8 + len(bootp), 0) + bootp
    ip = bytes([0x45, 0]) + struct.pack(">H", 20 + len(udp)) + bytes(4) + bytes([64, 17]) \
        + bytes(2) + bytes([10, 0, 2, 2]) + bytes([255] * 4)
    offer = b"\xff" * 6 + bytes.fromhex("525500000202") + b"\x08\x00" + ip + udp
    arp = mac + bytes.fromhex("52550a000202") + b"\x08\x06" + bytes.fromhex("0001080006040002") \
        + bytes.fromhex("52550a000202") + bytes([10, 0, 2, 2]) + mac + bytes([10, 0, 2, 15])
    return [b"\x00" + used(1, 0, 12 + 60) + used(1, 1, 12 + 1514) + used(2, 2, 5) + used(1, 2, 12 + 14),
            b"\x00" + used(1, 70, 100) + used(200, 3, 9999),
            b"\x01" + bytes([3, 0, 60, 0, 1, 0, 60, 0, 3, 1, 60, 0, 3, 0, 0xff, 0xff, 3, 0, 0xea, 5]),
            b"\x02" + offer, b"\x02" + arp]


# ---- GPT (fuzz_gpt.c: one byte, bit 0 = 4096-byte sectors, then the image)

def gpt_image(ss=512, sectors=12, entries=4, entry_size=128, parts=(("boot", 4, 5), ("data", 6, 8)),
              break_primary=False, break_backup=False):
    """A small GPT disk (UEFI 2.x, 5.2.3, 5.3.2, 5.3.3) with zlib's CRC-32."""
    import zlib
    img = bytearray(ss * sectors)
    img[446 + 4] = 0xee
    struct.pack_into("<II", img, 446 + 8, 1, sectors - 1)
    img[510:512] = b"\x55\xaa"
    array_sectors = -(-entries * entry_size // ss)
    arr = bytearray(array_sectors * ss)
    for i, (name, first, last) in enumerate(parts):
        e = i * entry_size
        arr[e:e + 16] = bytes.fromhex("af3dc60f83847247 8e793d69d8477de4".replace(" ", ""))
        arr[e + 16:e + 32] = bytes(range(16 * i, 16 * i + 16))
        struct.pack_into("<QQQ", arr, e + 32, first, last, 0)
        n = name.encode("utf-16-le")[:72]
        arr[e + 56:e + 56 + len(n)] = n
    first_usable, last_usable = 2 + array_sectors, sectors - 2 - array_sectors
    crc_arr = zlib.crc32(bytes(arr[:entries * entry_size]))

    def header(lba, alt, entry_lba):
        h = bytearray(92)
        h[0:8] = b"EFI PART"
        struct.pack_into("<IIIIQQQQ", h, 8, 0x10000, 92, 0, 0, lba, alt, first_usable, last_usable)
        h[56:72] = bytes(range(0xd0, 0xe0))
        struct.pack_into("<QIII", h, 72, entry_lba, entries, entry_size, crc_arr)
        struct.pack_into("<I", h, 16, zlib.crc32(bytes(h)))
        return h

    img[2 * ss:2 * ss + len(arr)] = arr
    backup_array = sectors - 1 - array_sectors
    img[backup_array * ss:backup_array * ss + len(arr)] = arr
    img[ss:ss + 92] = header(1, sectors - 1, 2)
    img[(sectors - 1) * ss:(sectors - 1) * ss + 92] = header(sectors - 1, 1, backup_array)
    if break_primary:
        img[ss + 40] ^= 1
    if break_backup:
        img[(sectors - 1) * ss + 40] ^= 1
    return bytes([1 if ss == 4096 else 0]) + bytes(img)


def gpt_seeds():
    return [gpt_image(), gpt_image(break_primary=True),
            gpt_image(break_primary=True, break_backup=True),
            gpt_image(ss=4096, sectors=8, parts=(("x\u00e9\U0001f600", 3, 5),)),
            gpt_image(entries=8, entry_size=256, sectors=14, parts=(("a", 6, 6), ("a", 7, 9))),
            b"\x00" + bytes(512 * 4)]


if __name__ == "__main__":
    main()
