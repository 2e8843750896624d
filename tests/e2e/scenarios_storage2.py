"""
tests/e2e/scenarios_storage2.py - VMs' disks on the host's disks
(disk=gpt:NAME, partuuid:GUID, serial:SERIAL; docs/storage.md), through
yakvm's own NVMe and AHCI drivers, against images partitioned by Debian's
sfdisk at test time.

- A power cut: a Debian Linux VM with its root on a GPT partition (ext4
  made by mke2fs -d, tests/linux/storageinit as /sbin/init, written into
  the partition with dd) writes a file and syncs; once it says so QEMU is
  killed with SIGKILL and started again on the same image file, and the
  file is there with the same MD5 (and e2fsprogs' debugfs, reading the
  partition out of the image on the host, agrees). On NVMe, a second disk
  behind QEMU's blkdebug fails every flush: the guest's fsync fails and
  yakvm prints one line naming VM and disk.
- Two Linux VMs on two partitions of one disk each write a pattern over the
  last 4 KiB of their own partition and try past it; afterwards the image
  holds both patterns and no other byte outside the root partitions
  changed.
- A hostile virtio-blk driver (tests/guests/hostile_vblk.c) on a partition
  holding its own ELF: reads past the partition's end get IOERR, the buffer
  untouched (the next partition holds other bytes); VMs naming a missing
  partition, a taken one, an ambiguous name, a whole disk by serial and a
  partition by GUID get one line each and boot; the monitor's `info vm`
  shows the disk with its request counts.
Imported by scenarios.py.
"""
import glob
import hashlib
import os
import random
import re
import shutil
import subprocess

from harness import Scenario, Check, ToVM, ROOT, others_ended
from scenarios_hostile import guest_checks
from scenarios_virtio import VBLK_CASES
from scenarios_storage import make_image, sfdisk  # noqa: F401
from scenarios_linux import linux_vm, KERNEL

YAKVM = "multiboot2 /boot/yakvm.elf loglevel=info on_idle=exit"
SECTOR = 512
ROOT_SIZE = 32 << 20
LINUX_TYPE = "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
CTRL_A3 = b"\x01" * 3


def mke2fs():
    for d in ("/usr/sbin", "/sbin"):
        if os.path.exists(os.path.join(d, "mke2fs")):
            return d
    raise RuntimeError("mke2fs not found (Debian package e2fsprogs)")


def root_fs(workdir):
    """An ext4 of ROOT_SIZE: busybox and tests/linux/storageinit as init."""
    tree, img = os.path.join(workdir, "rootfs-tree"), os.path.join(workdir, "rootfs.img")
    shutil.rmtree(tree, ignore_errors=True)
    for d in ("bin", "sbin", "etc"):
        os.makedirs(os.path.join(tree, d))
    shutil.copy("/bin/busybox", os.path.join(tree, "bin", "busybox"))
    os.symlink("busybox", os.path.join(tree, "bin", "sh"))
    shutil.copy(os.path.join(ROOT, "tests", "linux", "storageinit"),
                os.path.join(tree, "sbin", "init"))
    if os.path.exists(img):
        os.remove(img)
    subprocess.run([os.path.join(mke2fs(), "mke2fs"), "-q", "-t", "ext4", "-d", tree, img,
                    "%dk" % (ROOT_SIZE >> 10)], check=True)
    return img


def put(image, start_lba, src):
    """dd src into image at start_lba (512-byte sectors)."""
    subprocess.run(["dd", "if=" + src, "of=" + image, "bs=%d" % SECTOR,
                    "seek=%d" % start_lba, "conv=notrunc", "status=none"], check=True)


def part(table, name):
    return [p for p in table["partitions"] if p.get("name") == name][0]


def debugfs_md5(image, p, path):
    """The MD5 of a file in the ext4 of partition p, read on the host."""
    out = image + ".part"
    with open(image, "rb") as f, open(out, "wb") as o:
        f.seek(p["start"] * SECTOR)
        o.write(f.read(p["size"] * SECTOR))
    r = subprocess.run([os.path.join(mke2fs(), "debugfs"), "-R", "cat " + path, out],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return hashlib.md5(r.stdout).hexdigest() if r.stdout else "(no file)"


def guest(vm, text):
    return r"^\[%s\] yakvm-linux: storage: %s" % (vm, text)


# ---- the power cut ----------------------------------------------------------

def power_cut_checks(image, table, disk, flush_test):
    root = part(table, "alpha-root")
    first, last = root["start"], root["start"] + root["size"] - 1
    synced = guest("linux", r"synced /data\.bin: md5 ([0-9a-f]{32})$")

    def same_md5(m):
        log = m.string
        s = re.search(synced, log, re.M)
        f = re.search(guest("linux", r"found /data\.bin: md5 ([0-9a-f]{32})$"), log, re.M)
        cut = log.find("\nharness: power cut\n")
        if not s or not f or not s.start() < cut < f.start():
            return False, "no MD5 before or after the cut"
        return s.group(1) == f.group(1), "before %s, after %s" % (s.group(1), f.group(1))

    def host_md5(m):
        s = re.search(synced, m.string, re.M)
        got = debugfs_md5(image, root, "/data.bin")
        return s is not None and got == s.group(1), "the guest said %s, debugfs reads %s" % (
            s.group(1) if s else None, got)

    checks = [
        Check("vda is partition alpha-root of %s: its LBAs, 512-byte sectors" % disk,
              r"^yakvm: vm linux: disk vda: %s partition 1, LBA %d-%d, %d sectors of 512 "
              r"bytes \(32 MiB\)$" % (re.escape(disk), first, last, root["size"]), count=2),
        Check("Linux sees vda's size and the default serial (the partition's name)",
              guest("linux", r"disk vda %d sectors, logical block 512, serial alpha-root$"
                    % root["size"])),
        Check("the root is vda, ext4, and its own init runs", guest("linux", r"root is /dev/vda / ext4$"),
              count=2),
        Check("run 1 writes /data.bin and sync returns", synced, before=r"^harness: power cut"),
        Check("QEMU is killed (SIGKILL) once the guest said so", r"^harness: power cut$"),
        Check("after the cut the file is there with the same MD5",
              guest("linux", r"found /data\.bin"), verify=same_md5),
        Check("...and debugfs on the host reads the same MD5 from the image's partition",
              guest("linux", r"found /data\.bin"), verify=host_md5),
        Check("no I/O error on vda", r"disk vda \(gpt:alpha-root\).*failed", present=False),
        Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
        Check("no device needs reset", r"needs reset", present=False),
    ]
    if flush_test:
        checks += [
            Check("the guest's fsync on vdb fails: dd says so (rc 1)",
                  guest("linux", r"flush test: dd rc 1 dd: /dev/vdb: Input/output error$")),
            Check("the NVMe Flush failed (blkdebug), the driver says so",
                  r"^yakvm: error: nvme1: Flush failed: status code type \d+, status code 0x[0-9a-f]+$"),
            Check("yakvm prints one line naming VM and disk",
                  r"^yakvm: error: vm linux: disk vdb \(gpt:flaky\): flush failed: I/O error to "
                  r"the guest$", count=1),
            Check("...once: one failed flush, one line",
                  r"flush failed: I/O error to the guest\n(?:.*\n)*.*flush failed: I/O error",
                  present=False),
            Check("the run after the cut still powers off", guest("linux", r"powering off$"),
                  after=r"^harness: power cut"),
        ]
    return checks


def four_k_checks(k4):
    """vdc: a whole NVMe namespace of 4096-byte sectors (disk=serial:)."""
    pattern = (b"sector4k\n" * 1000)[:8192]
    md5 = hashlib.md5(pattern).hexdigest()

    def on_disk(_m):
        with open(k4, "rb") as f:
            data = f.read()
        ok = data[4096:12288] == pattern and data[:4096] == bytes(4096) and \
            data[12288:] == bytes(len(data) - 12288)
        return ok, "" if ok else "the 4 KiB disk's image is not the pattern at 4096-12287"

    return [
        Check("vdc: the 4 KiB-sector namespace, whole, by serial",
              r"^yakvm: vm linux: disk vdc: nvme2n1 \(whole disk\), LBA 0-1023, 1024 sectors of "
              r"4096 bytes \(4 MiB\)$"),
        Check("Linux sees 4096-byte logical blocks (blk_size)",
              guest("linux", r"disk vdc 8192 sectors, logical block 4096, serial yakvm-4k$")),
        Check("8 KiB written at its second block read back",
              guest("linux", r"4k disk: write rc 0, reads back md5 %s$" % md5)),
        Check("...and the image holds them at bytes 4096-12287, zeros elsewhere",
              guest("linux", r"4k disk: write rc 0"), verify=on_disk),
    ]


def prepare_power_cut(controller):
    def prepare(workdir):
        image = os.path.join(workdir, "disk.img")
        table = make_image(image, 48, "label: gpt\nstart=2048, size=%d, name=alpha-root, "
                           "type=%s\nsize=4096, name=spare\n" % (ROOT_SIZE // SECTOR, LINUX_TYPE))
        put(image, part(table, "alpha-root")["start"], root_fs(workdir))
        if controller == "nvme":
            flaky = os.path.join(workdir, "flaky.img")
            make_image(flaky, 4, "label: gpt\nstart=2048, size=2048, name=flaky\n")
            k4 = os.path.join(workdir, "4k.img")
            with open(k4, "wb") as f:
                f.truncate(4 << 20)
            conf = os.path.join(workdir, "blkdebug.conf")
            with open(conf, "w") as f:
                f.write('[inject-error]\nevent = "flush_to_disk"\niotype = "flush"\n'
                        'errno = "5"\n')
            args = ["-boot", "order=d",
                    "-drive", "file=%s,if=none,id=nvm0,format=raw" % image,
                    "-device", "nvme,drive=nvm0,serial=yakvm-pc-1",
                    "-drive", "file=blkdebug:%s:%s,if=none,id=nvm1,format=raw" % (conf, flaky),
                    "-device", "nvme,drive=nvm1,serial=yakvm-flaky",
                    "-drive", "file=%s,if=none,id=nvm2,format=raw" % k4,
                    "-device", "nvme,drive=nvm2,serial=yakvm-4k,logical_block_size=4096,"
                    "physical_block_size=4096"]
            disk = "nvme0n1"
        else:
            args = ["-boot", "order=d", "-device", "ahci,id=ahci0",
                    "-drive", "file=%s,if=none,id=sata0,format=raw" % image,
                    "-device", "ide-hd,drive=sata0,bus=ahci0.0,serial=yakvm-pc-sata"]
            disk = "ahci0p0"
        checks = power_cut_checks(image, table, disk, controller == "nvme")
        return args, checks + (four_k_checks(k4) if controller == "nvme" else [])
    return prepare


# ---- two VMs, two partitions, the ends ----------------------------------------
# alpha is pinned to CPU 0, beta to CPU 1 (cpus=, proven in scenarios_host.py):
# the controller is used from both at once (its lock).

ENDS_SCRIPT = ("label: gpt\nstart=2048, size={r}, name=alpha-root\nsize=2048, name=alpha-end\n"
               "size=2048, name=beta-end\nsize={r}, name=beta-root\nsize=2048, name=tail\n"
               .format(r=ROOT_SIZE // SECTOR))


def prepare_ends(workdir):
    image = os.path.join(workdir, "disk.img")
    table = make_image(image, 80, ENDS_SCRIPT)
    fs = root_fs(workdir)
    for name in ("alpha-root", "beta-root"):
        put(image, part(table, name)["start"], fs)
    # Known bytes everywhere else in the end partitions and the tail.
    for i, name in enumerate(("alpha-end", "beta-end", "tail")):
        p = part(table, name)
        noise = os.path.join(workdir, name + ".noise")
        with open(noise, "wb") as f:
            f.write(random.Random(i).randbytes(p["size"] * SECTOR))
        put(image, p["start"], noise)
    with open(image, "rb") as f:
        before = f.read()
    roots = [part(table, n) for n in ("alpha-root", "beta-root")]
    ends = {"alpha": part(table, "alpha-end"), "beta": part(table, "beta-end")}

    def outside_roots(data):
        out, pos = [], 0
        for p in roots:
            out.append(data[pos:p["start"] * SECTOR])
            pos = (p["start"] + p["size"]) * SECTOR
        out.append(data[pos:])
        return b"".join(out)

    def image_as_expected(_m):
        with open(image, "rb") as f:
            after = bytearray(f.read())
        expect = bytearray(before)
        for word, p in ends.items():
            end = (p["start"] + p["size"]) * SECTOR
            expect[end - 4096:end] = ((word + "\n").encode() * 4096)[:4096]
        a, e = outside_roots(bytes(after)), outside_roots(bytes(expect))
        if a == e:
            return True, ""
        first = next(i for i in range(min(len(a), len(e))) if a[i] != e[i])
        return False, "the first difference outside the root partitions at byte %d (of the " \
                      "image without them)" % first

    checks = []
    for word in ("alpha", "beta"):
        p = ends[word]
        md5 = hashlib.md5(((word + "\n").encode() * 4096)[:4096]).hexdigest()
        checks += [
            Check("%s: vdb is %s-end, %d sectors" % (word, word, p["size"]),
                  guest(word, r"disk vdb %d sectors, logical block 512, serial %s-end$"
                        % (p["size"], word))),
            Check("%s: writes its pattern over the last 4 KiB of its own partition" % word,
                  guest(word, r"end block written: rc 0 md5 %s$" % md5)),
            Check("%s: 4 KiB past the end: refused (rc 1)" % word,
                  guest(word, r"past the end: rc 1 ")),
            Check("%s: the last block reads back as written" % word,
                  guest(word, r"end block reads back: md5 %s$" % md5)),
            Check("%s: powers off" % word, r"^yakvm: vm %s ended" % word),
        ]
    checks += [
        Check("the image: both patterns at the ends of their partitions, no other byte "
              "outside the root partitions changed",
              r"^yakvm: all VMs have ended", verify=image_as_expected),
        Check("no disk error", r"^yakvm: error: (vm|nvme)", present=False),
        Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
    ]
    args = ["-boot", "order=d", "-drive", "file=%s,if=none,id=nvm0,format=raw" % image,
            "-device", "nvme,drive=nvm0,serial=yakvm-ends"]
    return args, checks


# ---- small guests: bounds, errors, the monitor ----------------------------------

def guest_elf(name):
    found = sorted(glob.glob(os.path.join(ROOT, "build", "*", "guests", "tests", "guests",
                                          name)))
    if not found:
        raise RuntimeError("%s not built" % name)
    rel = [f for f in found if "/release/" in f]
    return (rel or found)[0]


SPARE_UUID = "5f0c2a4e-1b7d-4c39-9e2a-7a5d3c1e9b01"
OTHER_UUID = "a3e1c9d7-52b4-4f08-8c6e-0d2b7f4a6c13"


def prepare_small(workdir):
    a, b = os.path.join(workdir, "disk-a.img"), os.path.join(workdir, "disk-b.img")
    ta = make_image(a, 16, "label: gpt\nstart=2048, size=2048, name=hostile\n"
                    "size=2048, name=next\nsize=2048, name=spare, uuid=%s\n"
                    "size=1024, name=dup\n" % SPARE_UUID)
    make_image(b, 8, "label: gpt\nstart=2048, size=2048, name=dup\n"
               "size=1024, name=other, uuid=%s\n" % OTHER_UUID)
    put(a, part(ta, "hostile")["start"], guest_elf("hostile_vblk.elf"))
    noise = os.path.join(workdir, "next.noise")
    with open(noise, "wb") as f:
        f.write(b"\x5a" * (2048 * SECTOR))
    put(a, part(ta, "next")["start"], noise)
    spare = part(ta, "spare")
    checks = [
        Check("vblk gets partition hostile, read-only",
              r"^yakvm: vm vblk: disk vda: nvme0n1 partition 1, LBA 2048-4095, 2048 sectors of "
              r"512 bytes \(1 MiB\), read-only$"),
        Check("a partition another VM has: one line naming it, no disk",
              r"^yakvm: error: vm taken: disk=gpt:hostile: nvme0n1 partition 1 is taken: vm "
              r"vblk has it; no disk vda$"),
        Check("a name no partition carries: one line, no disk",
              r"^yakvm: error: vm missing: disk=gpt:nosuch: no partition of that name on the "
              r"host's disks; no disk vda$"),
        Check("a name on two disks: refused, naming both",
              r"^yakvm: error: vm ambig: disk=gpt:dup: 2 partitions carry it \(nvme0n1 "
              r"partition 4, nvme1n1 partition 1\); no disk vda$"),
        Check("partuuid: the partition by its unique GUID",
              r"^yakvm: vm byuuid: disk vda: nvme0n1 partition 3, LBA %d-%d, "
              % (spare["start"], spare["start"] + spare["size"] - 1)),
        Check("serial: a whole disk", r"^yakvm: vm whole: disk vda: nvme1n1 \(whole disk\), "
              r"LBA 0-16383, 16384 sectors of 512 bytes \(8 MiB\)$"),
        Check("a partition inside a whole disk another VM has: taken",
              r"^yakvm: error: vm inside: disk=partuuid:%s: nvme1n1 partition 2 is taken: "
              r"vm whole has it; no disk vda$" % OTHER_UUID),
    ]
    for vm in SMALL_VMS:
        checks.append(Check("vm %s boots all the same" % vm,
                            r"^yakvm: vm %s ended with status 0" % vm))
    args = ["-boot", "order=d",
            "-drive", "file=%s,if=none,id=nvm0,format=raw" % a,
            "-device", "nvme,drive=nvm0,serial=yakvm-vd-1",
            "-drive", "file=%s,if=none,id=nvm1,format=raw" % b,
            "-device", "nvme,drive=nvm1,serial=yakvm-vd-2"]
    return args, checks


SMALL_VMS = {"taken": "gpt:hostile", "missing": "gpt:nosuch", "ambig": "gpt:dup",
             "byuuid": "partuuid:" + SPARE_UUID, "whole": "serial:yakvm-vd-2",
             "inside": "partuuid:" + OTHER_UUID}


def small_scenario():
    grub = [YAKVM, "module2 /guests/heartbeat.elf name=heartbeat mem=8M -- until=key",
            "module2 /guests/hostile_vblk.elf name=vblk mem=16M "
            "disk=gpt:hostile,ro,serial=hostile-ro"]
    grub += ["module2 /guests/hello.elf name=%s mem=16M disk=%s" % (vm, src)
             for vm, src in SMALL_VMS.items()]
    checks = guest_checks("vblk", "vblk", VBLK_CASES) + [
        Check("the monitor: vda of vblk, its source, partition, size, request counts",
              r"^  disk vda: gpt:hostile on nvme0n1 partition 1, 2048 sectors \(1 MiB\), "
              r"read-only; requests: [1-9]\d* read, 1 write, 0 flush, [1-9]\d* errors$"),
        Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
    ]
    return Scenario(
        name="qemu-nvme-vm-disks", timeout=240, grub=grub, prepare=prepare_small,
        input=[(others_ended(["vblk"] + list(SMALL_VMS)), ToVM(None, b"info vm vblk\r")),
               (r"^  disk vda: ", ToVM("heartbeat"))],
        checks=checks)


SCENARIOS = [small_scenario()]
if KERNEL:
    SCENARIOS += [
        Scenario(name="linux-nvme-power-cut", mem="1G", timeout=400,
                 grub=[YAKVM] + linux_vm("linux", 1, extra="yakvm.root",
                                         opts="disk=gpt:alpha-root disk=gpt:flaky "
                                              "disk=serial:yakvm-4k"),
                 power_cut=guest("linux", r"synced /data\.bin"),
                 prepare=prepare_power_cut("nvme"), checks=[]),
        Scenario(name="linux-ahci-power-cut", mem="1G", timeout=400,
                 grub=[YAKVM] + linux_vm("linux", 1, extra="yakvm.root",
                                         opts="disk=gpt:alpha-root"),
                 power_cut=guest("linux", r"synced /data\.bin"),
                 prepare=prepare_power_cut("ahci"), checks=[]),
        Scenario(name="linux-nvme-two-vms-ends", mem="1G", smp=2, timeout=400,
                 grub=[YAKVM] + linux_vm("alpha", 1, extra="yakvm.root yakvm.ends=alpha",
                                         cpus="0",
                                         opts="disk=gpt:alpha-root disk=gpt:alpha-end") +
                 linux_vm("beta", 1, extra="yakvm.root yakvm.ends=beta", cpus="1",
                          opts="disk=gpt:beta-root disk=gpt:beta-end"),
                 prepare=prepare_ends, checks=[]),
    ]
