"""
tests/e2e/scenarios_mmio.py - the MMIO path proved from inside real guests:
mmio16 (real mode, big real mode and 16-bit protected mode), mmio32 (32-bit
protected mode) and mmio64 (long mode, its own page tables) run every
emulated instruction form against the test device (testdev=1, at
guest-physical 0xfeb00000) and compare each with the same instruction on RAM;
mmiopf (PAE paging) compares the #PF of the emulator's page walk with the
CPU's own, for each fault kind.
Imported by scenarios.py.
"""
from harness import Scenario, Check

YAKVM = "multiboot2 /boot/yakvm.elf loglevel=info on_idle=exit"

MODES = ("mmio16", "mmio32", "mmio64", "mmiopf")


def mode_checks(vm):
    return [
        Check("%s: every MMIO case passes" % vm, r"^\[%s\] %s: \d+ passed, 0 failed$" % (vm, vm)),
        Check("%s: no case fails" % vm, r"^\[%s\] %s: FAIL" % (vm, vm), present=False),
        Check("VM %s ends with status 0" % vm, r"^yakvm: vm %s ended with status 0" % vm),
    ]


def family(vm, desc, case):
    """One check per important instruction family, named after a case."""
    return Check("%s: %s" % (vm, desc), r"^\[%s\] %s: ok %s(\s|$)" % (vm, vm, case))


FAMILIES = {
    "mmiopf": [
        ("emulated write through a present PTE", "present"),
        ("#PF, not present (error 0x2)", "not_present"),
        ("#PF, read-only with CR0.WP (error 0x3)", "read_only_wp"),
        ("read-only without CR0.WP: the write is done", "read_only_no_wp"),
        ("#PF, read-only PDE (error 0x3)", "pde_read_only_wp"),
        ("#PF, a missing PTE under a read-only PDE is P=0 (error 0x2)",
         "pde_read_only_pte_absent"),
        ("#PF, reserved bit 62 (error 0xb)", "rsvd_bit62"),
        ("#PF, address bit at MAXPHYADDR (error 0xb)", "rsvd_maxphyaddr"),
        ("#PF, reserved bit in the PDE (error 0xb)", "pde_rsvd_pte_absent"),
        ("#PF, NX without EFER.NXE is reserved (error 0xb)", "nx_without_nxe"),
        ("NX does not stop a data write", "nx_data_write"),
    ],
    "mmio32": [
        ("MOV store and load, 8/16/32 bits", "mov32_load"),
        ("MOV with AH..BH", "mov8_bh_load"),
        ("MOV immediate to memory", "mov_imm32"),
        ("MOV moffs (A0-A3)", "moffs_a3"),
        ("MOVZX / MOVSX", "movsx_b"),
        ("ALU with a memory destination", "adc_mr_cf1"),
        ("ALU with a register destination", "sbb_rm"),
        ("80/81/83 immediate groups", "grp83_sub"),
        ("TEST", "test_f7"),
        ("NOT / NEG", "neg32"),
        ("INC / DEC keep CF", "inc32_cf"),
        ("XCHG", "xchg32"),
        ("CMPXCHG equal", "cmpxchg_eq"),
        ("CMPXCHG not equal", "cmpxchg_ne"),
        ("XADD", "xadd32"),
        ("LOCK prefix", "lock_add"),
        ("BT with a register offset outside the dword", "bt_reg_neg"),
        ("BTS/BTR/BTC with imm8", "btc_imm16"),
        ("REP MOVSB", "rep_movsb"),
        ("REP MOVSB with DF=1", "rep_movsb_df"),
        ("REP MOVS between RAM and MMIO", "rep_movsl_ram_to_mmio"),
        ("REP STOS", "rep_stosl"),
        ("LODS", "lodsw_df"),
        ("67 prefix (16-bit addressing)", "a16_bx_si"),
        ("67 prefix on a REP string op", "a16_rep_stosb"),
        ("segment override FS", "fs_override_load"),
        ("SS default for EBP", "ss_default_ebp"),
    ],
    "mmio64": [
        ("MOV with REX.W and R8-R15", "mov64_r8_r15"),
        ("MOVSXD", "movsxd"),
        ("MOV moffs64", "moffs64_load"),
        ("RIP-relative addressing", "rip_relative"),
        ("an address above 4 GiB (guest page walk)", "above_4g"),
        ("an alias mapped by the guest's page tables", "alias_low"),
        ("FS base from WRMSR", "fs_base_msr"),
        ("ALU 64-bit, flags", "sub64_mr"),
        ("CMPXCHG 64-bit", "cmpxchg64_eq"),
        ("BT 64-bit register offset", "bts64_reg_far"),
        ("REP MOVSQ", "rep_movsq"),
        ("67 prefix (32-bit addressing)", "a32_addr"),
        ("SPL/SIL byte registers with REX", "mov8_sil_rex"),
    ],
    "mmio16": [
        ("real mode is entered (CR0.PE clear, CS = 0x800)", "rm_mode:"),
        ("16-bit protected mode is entered", "pm16_mode:"),
        ("real mode: MOV 16-bit forms", "rm_mov16_bx_si"),
        ("real mode: [BP+DI+disp] with DS override", "rm_bp_di_ds"),
        ("real mode: 66 prefix (32-bit operands)", "rm_op32"),
        ("real mode: 67 prefix (big real mode)", "rm_a32_big"),
        ("real mode: ALU and flags", "rm_adc_mr"),
        ("real mode: REP MOVSW", "rm_rep_movsw"),
        ("real mode: CMPXCHG", "rm_cmpxchg_eq"),
        ("real mode: moffs", "rm_moffs16"),
        ("16-bit protected mode: SS default for [BP+DI]", "pm16_ss_bp_di"),
    ],
}

# The test device is PCI function 00:01.0 (devices/pci_host.c): a guest
# sizes and moves its BAR 0 and finds it at the new address only.
PCI_CHECKS = [
    ("PCI: the test device's IDs at 00:01.0", "pci-testdev-ids"),
    ("PCI: its BAR 0 where firmware would put it, decoding on", "pci-testdev-bar0"),
    ("PCI: BAR 0 sizing (all ones reads back the size)", "pci-bar0-sizing"),
    ("PCI: memory decoding off takes the device off the bus", "pci-decode-off"),
    ("PCI: a BAR write moves the device on the bus", "pci-bar0-moved"),
    ("PCI: nothing answers at the old BAR", "pci-nothing-at-old-bar0"),
    ("PCI: the BAR moved back, the device's state with it", "pci-bar0-moved-back"),
]

SCENARIOS = [
    Scenario(
        name="qemu-mmio",
        grub=[YAKVM] + ["module2 /guests/%s.elf name=%s mem=16M testdev=1" % (m, m)
                        for m in MODES],
        timeout=300,
        checks=[
            Check("yakvm prints its banner", r"^yakvm 0\.\d+: a micro-hypervisor for AMD-V"),
            Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
            Check("no instruction the emulator could not handle",
                  r"cannot emulate the instruction", present=False),
        ] + [c for m in MODES for c in mode_checks(m)]
          + [family(m, d, case) for m in MODES for d, case in FAMILIES[m]]
          + [Check("mmiopf: CR2 of each emulated #PF is the CPU's",
                   r"^\[mmiopf\] mmiopf: CR2 of every emulated #PF is the CPU's")]
          + [family("mmio32", d, case) for d, case in PCI_CHECKS]
          + [Check("yakvm sees every VM end", r"^yakvm: all VMs have ended")]),
]
