"""
tests/e2e/scenarios_storage.py - yakvm's own NVMe driver and GPT parser
(drivers/, docs/storage.md) against QEMU's `nvme` device. Each run makes
its disk images at test time: `truncate`, then Debian's `sfdisk` with named
GPT partitions; `sfdisk --json` (the outside oracle) says what yakvm must
log: the disk's serial and size, each partition's name, first and last LBA,
type and unique GUID. A known pattern written into one partition with `dd`
must come back as the same CRC-32 (zlib's, over the partition's first
64 KiB): the read path returns the right sectors, not just the GPT. With
disk_selftest=NAME (tests only) yakvm writes a known pattern over a
partition's first 64 KiB, flushes and reads it back: the image file must
then hold that pattern there and nothing else may have changed; with an
ambiguous NAME nothing at all may be written.
"""
import json
import os
import random
import re
import shutil
import subprocess
import zlib

from harness import Scenario, Check

YAKVM = "multiboot2 /boot/yakvm.elf loglevel=info on_idle=exit"
HELLO = "module2 /guests/hello.elf name=alpha mem=16M vcpus=1 -- after the disks"
SECTOR = 512
CHECKSUM_BYTES = 64 << 10


def sfdisk():
    for d in ("/usr/sbin", "/sbin", "/usr/bin"):
        if os.path.exists(os.path.join(d, "sfdisk")):
            return os.path.join(d, "sfdisk")
    found = shutil.which("sfdisk")
    if not found:
        raise RuntimeError("sfdisk not found (Debian package fdisk, scripts/packages.txt)")
    return found


def make_image(path, mib, script):
    """A raw image of mib MiB partitioned by sfdisk; returns sfdisk --json.
    A fresh file: truncate keeps what an earlier run left in one."""
    if os.path.exists(path):
        os.remove(path)
    subprocess.run(["truncate", "-s", "%dM" % mib, path], check=True)
    subprocess.run([sfdisk(), "-q", path], input=script.encode(), check=True,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = subprocess.run([sfdisk(), "--json", path], check=True, stdout=subprocess.PIPE)
    return json.loads(out.stdout)["partitiontable"]


def write_pattern(path, start_lba, seed, nbytes=CHECKSUM_BYTES):
    """Known bytes into the image at start_lba, written by dd."""
    data = random.Random(seed).randbytes(nbytes)
    pattern = path + ".pattern"
    with open(pattern, "wb") as f:
        f.write(data)
    subprocess.run(["dd", "if=" + pattern, "of=" + path, "bs=%d" % SECTOR,
                    "seek=%d" % start_lba, "conv=notrunc", "status=none"], check=True)


def crc_of(path, start_lba, sectors):
    with open(path, "rb") as f:
        f.seek(start_lba * SECTOR)
        return zlib.crc32(f.read(sectors * SECTOR))


def disk_checks(disk, table, path, serial, mib, source, model="QEMU NVMe Ctrl"):
    """What yakvm must say of one disk, from sfdisk --json and the image."""
    d = re.escape(disk)
    checks = [
        Check("%s: serial %s, %d sectors of 512 bytes" % (disk, serial, mib * 2048),
              r'^yakvm: disk %s: "%s" serial "%s": %d sectors of 512 bytes '
              r'\(%d MiB\)$' % (d, re.escape(model), re.escape(serial), mib * 2048, mib)),
        Check("%s: the GPT from the %s header, %d partitions" % (disk, source,
                                                                  len(table["partitions"])),
              r"^yakvm: disk %s: GPT \(%s header\): %d partitions? in 128 entries$"
              % (d, source, len(table["partitions"]))),
    ]
    for i, p in enumerate(table["partitions"], 1):
        n = int(re.search(r"(\d+)$", p["node"]).group(1))
        first, size = p["start"], p["size"]
        last = first + size - 1
        name = re.escape(p.get("name", ""))
        checks.append(Check(
            "%s: partition %d %r at LBA %d-%d (%d sectors), type and unique GUID as sfdisk "
            "says" % (disk, n, p.get("name", ""), first, last, size),
            r'^yakvm: disk %s: partition %d "%s": LBA %d-%d, %d sectors \(%d KiB\), '
            r"type %s, unique %s$" % (d, n, name, first, last, size, size * SECTOR >> 10,
                                      p["type"].lower(), p["uuid"].lower())))
        k = min(size, CHECKSUM_BYTES // SECTOR)
        checks.append(Check(
            "%s: partition %d: the CRC-32 of its first %d sectors is the host's" % (disk, n, k),
            r'^yakvm: disk %s: partition %d "%s": crc32 of sectors %d-%d: 0x%08x$'
            % (d, n, name, first, first + k - 1, crc_of(path, first, k))))
    return checks


SCRIPT_A = ("label: gpt\n"
            "start=2048, size=4096, name=alpha, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n"
            "size=8192, name=beta, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\n"
            'size=2048, name="gamma disk"\n'
            "size=64, name=tiny\n")
SCRIPT_B = ("label: gpt\n"
            "start=4096, size=2048, name=alpha\n"
            "size=20480, name=delta\n")


def selftest_pattern(nbytes):
    """What disk_selftest= writes (drivers/block/selftest.c): xorshift32
    words from the seed 0x79616b76, little-endian."""
    x, out = 0x79616b76, bytearray()
    for _ in range(nbytes // 4):
        x ^= (x << 13) & 0xffffffff
        x ^= x >> 17
        x ^= (x << 5) & 0xffffffff
        out += x.to_bytes(4, "little")
    return bytes(out)


def digest_outside(path, start, length):
    """A hash of the image but [start, start + length) bytes."""
    import hashlib
    with open(path, "rb") as f:
        data = f.read()
    return hashlib.sha256(data[:start] + data[start + length:]).hexdigest()


def unchanged(path, start=0, length=0):
    """A check's verify: the image (but a region) is as before the run."""
    before = digest_outside(path, start, length)

    def verify(_match):
        after = digest_outside(path, start, length)
        return after == before, "" if after == before else "the image changed outside the region"
    return verify


def drive(path, n, serial, bus=None):
    """A raw image as QEMU's NVMe controller; the firmware still boots from
    the CD-ROM (an image without boot code first would hang SeaBIOS)."""
    return (["-boot", "order=d"] if n == 0 else []) + ["-drive", "file=%s,if=none,id=nvm%d,format=raw" % (path, n),
            "-device", "nvme,drive=nvm%d,serial=%s%s" % (n, serial, bus or "")]


def prepare_two_disks(workdir):
    """Two NVMe disks: the first with a pattern in `beta`, the second with
    another `alpha` (a name on two disks is ambiguous)."""
    a, b = os.path.join(workdir, "disk-a.img"), os.path.join(workdir, "disk-b.img")
    ta = make_image(a, 64, SCRIPT_A)
    beta = [p for p in ta["partitions"] if p.get("name") == "beta"][0]
    write_pattern(a, beta["start"], 1)
    tb = make_image(b, 16, SCRIPT_B)
    write_pattern(b, tb["partitions"][1]["start"], 2)
    checks = disk_checks("nvme0n1", ta, a, "yakvm-test-1", 64, "primary")
    checks += disk_checks("nvme1n1", tb, b, "yakvm-test-2", 16, "primary")
    pattern_crc = zlib.crc32(random.Random(1).randbytes(CHECKSUM_BYTES))
    checks += [
        Check("disk_selftest=alpha: alpha is ambiguous, nothing is written",
              r"^yakvm: error: disk_selftest=alpha: the name is ambiguous \(2 partitions\): "
              r"nothing written$"),
        Check("...and both images are byte for byte as before the run",
              r"^yakvm: W\^X", verify=lambda m, va=unchanged(a), vb=unchanged(b): (
                  va(m)[0] and vb(m)[0], "an image changed")),
        Check("the pattern dd wrote into beta reads back (CRC-32 0x%08x, not that of zeros)"
              % pattern_crc,
              r'^yakvm: disk nvme0n1: partition 2 "beta": crc32 of sectors %d-%d: 0x%08x$'
              % (beta["start"], beta["start"] + 127, pattern_crc)),
        Check("alpha is on both disks: said to be ambiguous",
              r'^yakvm: warning: partition name "alpha" is ambiguous: 2 partitions carry it$'),
        Check("beta is on one disk: not ambiguous", r'name "beta" is ambiguous', present=False),
    ]
    return drive(a, 0, "yakvm-test-1") + drive(b, 1, "yakvm-test-2"), checks


def prepare_bad_primary(workdir):
    """One disk whose primary GPT header is corrupted with dd (its CRC no
    longer matches): the partitions come from the backup at the last LBA."""
    a = os.path.join(workdir, "disk-a.img")
    ta = make_image(a, 64, SCRIPT_A)
    beta = [p for p in ta["partitions"] if p.get("name") == "beta"][0]
    write_pattern(a, beta["start"], 3)
    # Four bytes of the header's FirstUsableLBA (LBA 1, offset 40) changed.
    subprocess.run(["dd", "of=" + a, "bs=1", "seek=%d" % (SECTOR + 40), "conv=notrunc",
                    "status=none"], input=b"\xde\xad\xbe\xef", check=True)
    checks = disk_checks("nvme0n1", ta, a, "yakvm-test-1", 64, "backup")
    checks.append(Check("the corrupted primary header is named, and the backup used",
                        r"^yakvm: warning: disk nvme0n1: primary GPT header unusable \(header "
                        r"CRC mismatch\): using the backup at LBA 131071$"))
    return drive(a, 0, "yakvm-test-1"), checks


def prepare_write(workdir):
    """disk_selftest=beta: yakvm writes a known pattern over beta's first
    64 KiB, flushes and reads it back; after the run, the image file holds
    exactly that pattern there and is unchanged everywhere else."""
    a = os.path.join(workdir, "disk-a.img")
    ta = make_image(a, 64, SCRIPT_A)
    beta = [p for p in ta["partitions"] if p.get("name") == "beta"][0]
    start, n = beta["start"], CHECKSUM_BYTES // SECTOR
    pattern = selftest_pattern(CHECKSUM_BYTES)
    crc = zlib.crc32(pattern)

    def on_disk(_match):
        with open(a, "rb") as f:
            f.seek(start * SECTOR)
            ok = f.read(CHECKSUM_BYTES) == pattern
        return ok, "" if ok else "the image does not hold the pattern"

    checks = [
        Check("beta before the write: the CRC-32 of its zeros",
              r'^yakvm: disk nvme0n1: partition 2 "beta": crc32 of sectors %d-%d: 0x%08x$'
              % (start, start + n - 1, zlib.crc32(bytes(CHECKSUM_BYTES)))),
        Check("the self-test wrote the host's pattern, flushed, and read the same back",
              r'^yakvm: disk nvme0n1: partition 2 "beta": self-test: wrote sectors %d-%d '
              r"\(crc32 0x%08x\), flushed, read back crc32 0x%08x: same$"
              % (start, start + n - 1, crc, crc)),
        Check("after the run the image holds the pattern at beta's first sector",
              r"self-test: wrote", verify=on_disk),
        Check("...and nothing else of the image changed", r"self-test: wrote",
              verify=unchanged(a, start * SECTOR, CHECKSUM_BYTES)),
    ]
    # Behind a PCI-to-PCI bridge: found on the bridge's secondary bus.
    bridge = ["-device", "pci-bridge,id=br1,chassis_nr=1"]
    checks.append(Check("the controller behind the bridge: found on bus 1, two buses walked",
                        r"^yakvm: pci: \d+ functions on 2 buses, 1 taken by a driver$"))
    checks.append(Check("...at 01:03.0", r'^yakvm: nvme0: 01:03\.0 "QEMU NVMe Ctrl"'))
    return bridge + drive(a, 0, "yakvm-test-1", ",bus=br1,addr=3"), checks


def prepare_namespaces(workdir):
    """One controller, two namespaces with NSIDs 1 and 3: yakvm finds them
    through the active namespace list (Identify CNS 02h), and NSID 2 is
    not asked for."""
    a, b = os.path.join(workdir, "ns1.img"), os.path.join(workdir, "ns3.img")
    ta = make_image(a, 64, SCRIPT_A)
    tb = make_image(b, 16, SCRIPT_B)
    write_pattern(b, tb["partitions"][1]["start"], 4)
    checks = disk_checks("nvme0n1", ta, a, "yakvm-test-3", 64, "primary")
    checks += disk_checks("nvme0n3", tb, b, "yakvm-test-3", 16, "primary")
    checks += [
        Check("NSID 2 is not active: no disk nvme0n2", r"nvme0n2", present=False),
        Check("no namespace was refused", r"^yakvm: error: nvme0n", present=False),
    ]
    args = ["-boot", "order=d", "-device", "nvme,id=ctrl0,serial=yakvm-test-3"]
    for path, n, nsid in ((a, 0, 1), (b, 1, 3)):
        args += ["-drive", "file=%s,if=none,id=nvm%d,format=raw" % (path, n),
                 "-device", "nvme-ns,drive=nvm%d,bus=ctrl0,nsid=%d" % (n, nsid)]
    return args, checks


def prepare_ahci(workdir):
    """QEMU's AHCI HBA (ich9-ahci): a SATA disk on port 0, an empty ATAPI
    drive on port 1 (named, never sent a command), and the write path by
    disk_selftest=beta as for NVMe."""
    a = os.path.join(workdir, "sata.img")
    ta = make_image(a, 64, SCRIPT_A)
    beta = [p for p in ta["partitions"] if p.get("name") == "beta"][0]
    alpha = ta["partitions"][0]
    write_pattern(a, alpha["start"], 5)
    start = beta["start"]
    pattern = selftest_pattern(CHECKSUM_BYTES)
    crc = zlib.crc32(pattern)
    checks = disk_checks("ahci0p0", ta, a, "yakvm-sata-1", 64, "primary", model="QEMU HARDDISK")

    def on_disk(_match):
        with open(a, "rb") as f:
            f.seek(start * SECTOR)
            ok = f.read(CHECKSUM_BYTES) == pattern
        return ok, "" if ok else "the image does not hold the pattern"

    checks += [
        Check("the HBA: its version, ports and registers",
              r"^yakvm: ahci0: [0-9a-f]{2}:[0-9a-f]{2}\.\d: AHCI 1\.\d+(\.\d+)?, ports 0x[0-9a-f]+, "
              r"registers at 0x[0-9a-f]+$"),
        Check("the ATAPI drive on port 1 is named and left alone",
              r"^yakvm: ahci0 port 1: an ATAPI device: left alone \(never written\)$"),
        Check("no disk from the ATAPI port", r"disk ahci0p1", present=False),
        Check("the self-test on the SATA disk: written, flushed, read back the same",
              r'^yakvm: disk ahci0p0: partition 2 "beta": self-test: wrote sectors %d-%d '
              r"\(crc32 0x%08x\), flushed, read back crc32 0x%08x: same$"
              % (start, start + 127, crc, crc)),
        Check("after the run the image holds the pattern at beta's first sector",
              r"self-test: wrote", verify=on_disk),
        Check("...and nothing else of the image changed", r"self-test: wrote",
              verify=unchanged(a, start * SECTOR, CHECKSUM_BYTES)),
        Check("no AHCI command failed", r"^yakvm: error: ahci", present=False),
    ]
    args = ["-boot", "order=d", "-device", "ahci,id=ahci0",
            "-drive", "file=%s,if=none,id=satadisk,format=raw" % a,
            "-device", "ide-hd,drive=satadisk,bus=ahci0.0,serial=yakvm-sata-1",
            "-device", "ide-cd,bus=ahci0.1"]
    return args, checks


COMMON = [
    Check("PCI: the scan found functions and gave the NVMe ones to the driver",
          r"^yakvm: pci: \d+ functions on \d+ bus(es)?, [12] taken by a driver$"),
    Check("no NVMe controller was left alone", r"nvme\d: .*left alone", present=False),
    Check("W^X still holds with the MMIO mapped",
          r"^yakvm: W\^X: \d+ host page mappings checked, none writable and executable$"),
    Check("a VM still boots after the disks", r"^yakvm: vm alpha ended with status 0"),
]

NVME_LINE = [
    Check("nvme0: QEMU's controller, serial yakvm-test-1",
          r'^yakvm: nvme0: [0-9a-f]{2}:[0-9a-f]{2}\.\d "QEMU NVMe Ctrl" serial "yakvm-test-1" '
          r'firmware "[^"]*", NVMe 1\.\d, namespace IDs up to \d+, \d+ KiB per command$'),
]

SCENARIOS = [
    Scenario(name="qemu-nvme-gpt", grub=[YAKVM + " disk_selftest=alpha", HELLO],
             prepare=prepare_two_disks,
             checks=COMMON + NVME_LINE + [
                 Check("SeaBIOS put the BARs below 4 GiB",
                       r"^yakvm: nvme[01]: 00:0[45]\.0: registers at 0x[0-9a-f]{1,8} "
                       r"\(16 KiB, 64-bit BAR 0\)$", count=2),
                 Check("nvme1: the second controller, serial yakvm-test-2",
                       r'^yakvm: nvme1: .* serial "yakvm-test-2" '),
             ]),
    Scenario(name="qemu-uefi-nvme-gpt", grub=[YAKVM + " disk_selftest=alpha", HELLO],
             firmware="uefi",
             prepare=prepare_two_disks, timeout=240, checks=COMMON + NVME_LINE + [
                 Check("OVMF put the 64-bit BARs above 4 GiB: mapped there all the same",
                       r"^yakvm: nvme[01]: 00:0[45]\.0: registers at 0x[1-9a-f][0-9a-f]{8,} "
                       r"\(16 KiB, 64-bit BAR 0\)$", count=2),
             ]),
    Scenario(name="qemu-nvme-gpt-backup", grub=[YAKVM, HELLO], prepare=prepare_bad_primary,
             checks=COMMON + NVME_LINE),
    Scenario(name="qemu-nvme-namespaces", grub=[YAKVM, HELLO], prepare=prepare_namespaces,
             checks=COMMON + [
                 Check("nvme0: one controller, serial yakvm-test-3",
                       r'^yakvm: nvme0: 00:0\d\.0 "QEMU NVMe Ctrl" serial "yakvm-test-3" '),
             ]),
    Scenario(name="qemu-ahci-gpt", grub=[YAKVM + " disk_selftest=beta", HELLO],
             prepare=prepare_ahci, checks=[c for c in COMMON if "NVMe" not in c.desc] + [
                 Check("PCI: the AHCI HBA taken by its driver",
                       r"^yakvm: pci: \d+ functions on 1 bus, 1 taken by a driver$")]),
    # q35: the boot CD-ROM itself sits on the ICH9's AHCI. yakvm resets the
    # HBA (GRUB has loaded everything by then), names the CD-ROM and never
    # sends it a command; the VMs still run.
    Scenario(name="qemu-q35-ahci-cdrom", grub=[YAKVM, HELLO], extra_args=["-M", "q35"],
             checks=[c for c in COMMON if "NVMe" not in c.desc] + [
                 Check("the ICH9 AHCI HBA is taken",
                       r"^yakvm: ahci0: 00:1f\.2: AHCI 1\.\d+(\.\d+)?, ports 0x[0-9a-f]+, "),
                 Check("the boot CD-ROM on it: named, left alone",
                       r"^yakvm: ahci0 port \d: an ATAPI device: left alone \(never written\)$"),
                 Check("no disks", r"^yakvm: disk ", present=False),
                 Check("no AHCI errors", r"^yakvm: error: ahci", present=False),
             ]),
    # The same under OVMF, whose own AHCI driver used the HBA before.
    Scenario(name="qemu-uefi-q35-ahci-cdrom", firmware="uefi", timeout=240,
             grub=[YAKVM, HELLO], extra_args=["-M", "q35"],
             checks=[c for c in COMMON if "NVMe" not in c.desc] + [
                 Check("the ICH9 AHCI HBA is taken",
                       r"^yakvm: ahci0: 00:1f\.2: AHCI 1\.\d+(\.\d+)?, ports 0x[0-9a-f]+, "),
                 Check("the boot CD-ROM on it: named, left alone",
                       r"^yakvm: ahci0 port \d: an ATAPI device: left alone \(never written\)$"),
                 Check("no disks", r"^yakvm: disk ", present=False),
                 Check("no AHCI errors", r"^yakvm: error: ahci", present=False),
             ]),
    Scenario(name="qemu-nvme-write", grub=[YAKVM + " disk_selftest=beta", HELLO],
             prepare=prepare_write, checks=COMMON + NVME_LINE),
]
