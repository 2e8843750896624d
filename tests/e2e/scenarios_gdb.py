"""
tests/e2e/scenarios_gdb.py - the gdb stub for guests (gdb= on a module line,
docs/debugging.md): the real gdb, in batch mode, on the gdbtarget guest
through COM2, with a heartbeat neighbour that must run on meanwhile.
"""
from harness import Scenario, Check

YAKVM = "multiboot2 /boot/yakvm.elf loglevel=info on_idle=exit"

# One gdb line: step one instruction and say by how much EIP moved, and
# how long gdb's disassembler says the instruction was.
STEPI = ("python pc = int(gdb.parse_and_eval('$pc')); "
         "n = gdb.selected_inferior().architecture().disassemble(pc)[0]['length']; "
         "gdb.execute('stepi'); "
         "print('stepi: eip advanced %d bytes, the instruction is %d bytes' "
         "% (int(gdb.parse_and_eval('$pc')) - pc, n))")
# Ctrl-C as a person would type it: SIGINT to gdb while `continue` waits.
CTRL_C = ("python import os, signal, threading; "
          "threading.Timer(2.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()")

SCENARIOS = [Scenario(
    name="qemu-gdb-guest",
    smp=2,
    timeout=150,
    grub=[YAKVM,
          "module2 /guests/heartbeat.elf name=heartbeat mem=8M -- until=key",
          "module2 /guests/gdbtarget.elf name=gdbt mem=8M vcpus=2 gdb=com2",
          "module2 /guests/hello.elf name=second mem=8M gdb=com2 -- I want gdb too"],
    # The heartbeat (first VM: console input goes to it) beats until the
    # guest gdb debugged has ended.
    input=[(r"^yakvm: vm gdbt ended", b"q")],
    guest_gdb=[
        "info threads",
        "break gdb_marker",
        "continue",
        "print counter",
        "print/x pattern",
        "x/4xb &pattern",
        "x/4xb (char *)&pattern + 0x80000000",
        "x/4xb 0x90000000",
        "set var *((unsigned char *)&pattern + 0x80000000) = 0x5a",
        "info registers eip",
        STEPI,
        "delete",
        "hbreak gdb_second",
        "continue",
        "print counter",
        "print marker_calls",
        "set var counter = 1234",
        "delete",
        CTRL_C,
        "continue",
        "print release",
        "print spins > 0",
        "watch spins",
        "continue",
        "delete",
        "set var release = 1",
        "continue",
    ],
    checks=[
        Check("yakvm waits for gdb on COM2",
              r"^yakvm: vm gdbt: gdb stub on port 0x2f8; the VM waits for gdb to attach"),
        Check("a second VM asking for COM2 gets a clear error and runs without gdb",
              r"^yakvm: error: vm second: gdb=0x2f8: the port is taken by gdbt; "
              r"this VM runs without gdb"),
        Check("...and it runs to its end", r"^yakvm: vm second ended with status 0"),
        Check("gdb lists one thread per vCPU",
              r"^guest-gdb: \s+2\s+Thread 2 \(vCPU 1, waiting for SIPI\)"),
        Check("gdb stops at a software breakpoint on a symbol",
              r"^guest-gdb: (Thread 1 hit )?Breakpoint 1, (0x[0-9a-f]+ in )?gdb_marker \(a=10, "),
        Check("gdb reads a variable at the breakpoint", r"^guest-gdb: \$1 = 10$"),
        Check("gdb reads guest memory (the pattern array)",
              r"^guest-gdb: \$2 = \{0xca, 0xfe, 0xf0, 0xd\}"),
        Check("x/4xb reads the same bytes",
              r"^guest-gdb: 0x[0-9a-f]+ <pattern>:\s+0xca\s+0xfe\s+0xf0\s+0x0d"),
        Check("gdb reads through the guest's page tables (an alias of the pattern)",
              r"^guest-gdb: 0x8[0-9a-f]+:\s+0xca\s+0xfe\s+0xf0\s+0x0d"),
        Check("an address the guest's page tables do not map is refused",
              r"^guest-gdb: 0x90000000:\s+Cannot access memory at address 0x90000000"),
        Check("the guest sees gdb's write through the alias", r"pattern\[0\]=0x5a$"),
        Check("EIP is at gdb_marker", r"^guest-gdb: eip\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <gdb_marker"),
        Check("stepi moves EIP by exactly the instruction's length",
              r"^guest-gdb: stepi: eip advanced (\d+) bytes, the instruction is \1 bytes"),
        Check("a hardware breakpoint (DR0-DR3) stops the guest",
              r"^guest-gdb: (Thread 1 hit )?Breakpoint 2, (0x[0-9a-f]+ in )?gdb_second \("),
        Check("the loop ran on to 30 with the software breakpoint gone",
              r"^guest-gdb: \$3 = 30$"),
        Check("...calling gdb_marker three times", r"^guest-gdb: \$4 = 3$"),
        Check("Ctrl-C stops the running guest",
              r"^guest-gdb: (Thread \d+ )?(\[.*\] )?(Program|Thread \d+) received signal SIGINT"),
        Check("...while it spun, not released", r"^guest-gdb: \$5 = 0$"),
        Check("...and had been spinning", r"^guest-gdb: \$6 = 1$"),
        Check("a write watchpoint (DR7 R/W=01) stops at the next write, one increment on",
              r"^guest-gdb: Old value = (\d+)\nguest-gdb: New value = (\d+)$",
              after=r"^guest-gdb: (Thread 1 hit )?Hardware watchpoint 3: spins",
              verify=lambda m: (int(m.group(2)) == int(m.group(1)) + 1, m.group(0))),
        Check("gdb hears that the guest ended, with its status",
              r"^guest-gdb: \[Inferior 1 \(.*\) exited normally\]"),
        Check("the guest's own INT3, INT 0x40 and single step reach its handlers",
              r"^\[gdbt\] gdbtarget: own int3 1, int 0x40 1, single-step traps 1$"),
        Check("the guest runs on with the value gdb wrote",
              r"^\[gdbt\] gdbtarget: counter=1234 marker_calls=3 second_calls=1 "),
        Check("the guest ends normally", r"^yakvm: vm gdbt ended with status 0"),
        Check("the neighbour's heartbeat goes on while the guest is stopped",
              r"^\[heartbeat\] heartbeat \d+", after=r"^\[gdbt\] gdbtarget: own int3",
              before=r"^\[gdbt\] gdbtarget: spinning", count=2),
        Check("the heartbeat stops when told, after the guest ended",
              r"^\[heartbeat\] heartbeat: told to stop", after=r"^yakvm: vm gdbt ended"),
        Check("the stub's exits are counted", r"^yakvm: vm gdbt stats: DEBUG count=[1-9]"),
        Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
    ]),
    # gdb=com2,nowait: the guest runs before gdb comes. gdb attaches to it
    # while it spins, detaches, attaches again, and kills it.
    Scenario(
        name="qemu-gdb-guest-nowait",
        timeout=150,
        grub=[YAKVM, "module2 /guests/gdbtarget.elf name=gdbn mem=8M gdb=com2,nowait"],
        guest_gdb_ready=r"gdbtarget: spinning until released",
        guest_gdb=[
            ["print spins > 0", "print release", "print counter", "detach"],
            ["print release", "info threads", "kill"],
        ],
        checks=[
            Check("the VM does not wait for gdb with ,nowait",
                  r"^yakvm: vm gdbn: gdb stub on port 0x2f8$"),
            Check("gdb attaches to the running guest, stopped where it spins",
                  r"^guest-gdb: (0x[0-9a-f]+ in )?guest_main \(.*\) at tests/guests/gdbtarget.c"),
            Check("...and reads its state", r"^guest-gdb: \$1 = 1\nguest-gdb: \$2 = 0\n"
                  r"guest-gdb: \$3 = 30$"),
            Check("gdb detaches and the VM runs on",
                  r"^yakvm: vm gdbn: gdb detached; the VM runs on"),
            Check("a second gdb attaches after the first one left",
                  r"^guest-gdb: \*? *1\s+Thread 1 \(vCPU 0, runnable\)",
                  after=r"detached\]"),
            Check("gdb kills the VM", r"^guest-gdb: \[Inferior 1 \(.*\) killed\]"),
            Check("...which yakvm stops, alone",
                  r"^yakvm: error: vm gdbn stopped: killed by gdb"),
            Check("the guest never got past its spin loop", r"gdbtarget: counter=", present=False),
            Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
        ])]

# Under Bochs, whose SVM takes INT3 through the #BP intercept as real CPUs
# do (QEMU's TCG uses INTn): COM2 is relayed to gdb by the harness. The VM
# is traced, so the log shows which intercept came. (Bochs 2.7 does not
# stop at DR0-DR3 breakpoints armed through VMCB.DR7: no hbreak here.)
SCENARIOS.append(Scenario(
    name="bochs-gdb-guest",
    emulator="bochs",
    timeout=400,
    grub=[YAKVM, "module2 /guests/gdbtarget.elf name=gdbt mem=8M gdb=com2 trace=1"],
    guest_gdb=["break gdb_marker", "continue", "print counter", STEPI,
               "set var release = 1", "set var counter = 4321", "delete", "continue"],
    checks=[
        Check("gdb stops at a software breakpoint",
              r"^guest-gdb: (Thread 1 hit )?Breakpoint 1, (0x[0-9a-f]+ in )?gdb_marker \(a=10, "),
        Check("...taken through the #BP intercept, RIP at the INT3",
              r"^yakvm: trace gdbt/0 #BP exitcode=0x43 .*rip=0x100030,"),
        Check("gdb reads a variable", r"^guest-gdb: \$1 = 10$"),
        Check("stepi moves EIP by exactly the instruction's length",
              r"^guest-gdb: stepi: eip advanced (\d+) bytes, the instruction is \1 bytes"),
        Check("...and the step's #DB is not given to the guest",
              r"^yakvm: trace gdbt/0 #DB .*\(injects exception 1\)", present=False,
              after=r"^yakvm: trace gdbt/0 #BP exitcode=0x43 .*rip=0x100030,"),
        Check("the guest's own INT3 (#BP), INT 0x40 (INTn) and single step reach its handlers",
              r"^\[gdbt\] gdbtarget: own int3 1, int 0x40 1, single-step traps 1$"),
        Check("the guest runs on with the value gdb wrote",
              r"^\[gdbt\] gdbtarget: counter=4341 marker_calls=3 second_calls=1 "),
        Check("gdb hears that the guest ended",
              r"^guest-gdb: \[Inferior 1 \(.*\) exited normally\]"),
        Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
    ]))
