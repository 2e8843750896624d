"""
scripts/bench_nvme.py - `make bench`'s host-disk part (scripts/bench.py,
`--only nvme`; the module disk's rows are scripts/bench_disk.py): a
Debian Linux guest's sequential and random I/O through yakvm's virtio-blk
on a partition of QEMU's NVMe (yakvm's NVMe driver), against bare QEMU
giving the same kernel the same partitions as virtio-blk-pci (raw slices of
the same image). The guest times itself (tests/linux/storageinit,
yakvm.bench): 32 MiB written and read in 1 MiB direct I/O, 256 direct 4 KiB
reads at scattered offsets. Plain TCG: the host's time, so the ratio is
what counts, not the seconds.
"""
import os
import re
import statistics

from scenarios_storage import make_image
from scenarios_storage2 import root_fs, put, part, ROOT_SIZE, SECTOR

LINE = r"storage: bench: seqwrite ([\d.]+) seqread ([\d.]+) randread ([\d.]+)$"
APPEND = "console=ttyS0 quiet loglevel=3 panic=-1 yakvm.root yakvm.bench"


def bench_nvme(args, res, yakvm_run, bare_run, text):
    ldir = os.path.join(args.build, "linux")
    kernel, initrd = os.path.join(ldir, "vmlinuz"), os.path.join(ldir, "initrd.cpio")
    if not (os.path.exists(kernel) and os.path.exists(initrd)):
        res["nvme"] = {"skipped": "no Linux kernel in %s" % ldir}
        return
    work = os.path.join(args.out, "bench-nvme")
    os.makedirs(work, exist_ok=True)
    image = os.path.join(work, "disk.img")
    table = make_image(image, 112, "label: gpt\nstart=2048, size=%d, name=alpha-root\n"
                       "size=131072, name=data\n" % (ROOT_SIZE // SECTOR))
    put(image, part(table, "alpha-root")["start"], root_fs(work))
    grub = ["module2 /guests/vmlinuz name=linux mem=256M vcpus=1 disk=gpt:alpha-root "
            "disk=gpt:data -- " + APPEND, "module2 /guests/initrd.cpio attach=linux"]
    nvme = ["-boot", "order=d", "-drive", "file=%s,if=none,id=nvm0,format=raw" % image,
            "-device", "nvme,drive=nvm0,serial=yakvm-bench"]
    bare = []
    for i, name in enumerate(("alpha-root", "data")):
        p = part(table, name)
        bare += ["-blockdev", "driver=raw,node-name=d%d,offset=%d,size=%d,file.driver=file,"
                 "file.filename=%s,file.locking=off" % (i, p["start"] * SECTOR, p["size"] * SECTOR, image),
                 "-device", "virtio-blk-pci,drive=d%d" % i]
    reps = 1 if args.quick else 3
    yak, qemu = [], []
    for _ in range(reps):
        a = yakvm_run("bench-nvme", grub, args, extra=nvme, mem="1G", timeout=600)
        b = bare_run("bench-nvme-bare", args, kernel, APPEND, initrd=initrd, extra=bare,
                     timeout=600)
        for run, into in ((a, yak), (b, qemu)):
            m = re.search(LINE, text(run), re.M)
            if m:
                into.append(tuple(float(x) for x in m.groups()))
    if not yak or not qemu:
        res["nvme"] = {"skipped": "no result (yakvm %d runs, bare %d); see %s"
                       % (len(yak), len(qemu), work)}
        return
    med = lambda xs, i: statistics.median(x[i] for x in xs)  # noqa: E731
    keys = ("seqwrite_32m_s", "seqread_32m_s", "randread_256x4k_s")
    res["nvme"] = {
        "method": "guest-timed (/proc/uptime) direct I/O on vdb; yakvm: virtio-blk on a "
                  "GPT partition of QEMU's nvme; bare: virtio-blk-pci on the same bytes; "
                  "plain TCG; median of %d" % reps,
        "yakvm": {k: med(yak, i) for i, k in enumerate(keys)},
        "bare": {k: med(qemu, i) for i, k in enumerate(keys)},
        "ratios": {k: round(med(yak, i) / med(qemu, i), 2) if med(qemu, i) else None
                   for i, k in enumerate(keys)},
    }


def nvme_rows(res, add):
    d = res.get("nvme", {})
    if "skipped" in d:
        add("NVMe disk I/O", "skipped: " + d["skipped"])
    elif d:
        for k in d["ratios"]:
            add("nvme %s, yakvm NVMe / bare virtio-blk" % k, "%.2f / %.2f = %s" % (
                d["yakvm"][k], d["bare"][k], d["ratios"][k]))
