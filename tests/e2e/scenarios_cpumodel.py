"""
tests/e2e/scenarios_cpumodel.py - the CPU model's conformance guest
(tests/guests/cpu_model.c, issue 14): every feature's CPUID bit against its
MSRs and CR4/EFER bits, the machine-check and performance-counter MSRs,
reserved CR4/CR0 bits, RDPMC and RDPRU; under QEMU and under Bochs.
"""
import dataclasses

from harness import Scenario, Check

YAKVM = "multiboot2 /boot/yakvm.elf loglevel=info on_idle=exit"
P = r"^\[cpumodel\] cpumodel: "

# Lines that must be "ok" whatever the host's features (each fails on its own
# if the model breaks).
ALWAYS = [
    r"CPUID 1 ignores ECX",
    r"CPUID 0x80000001 ignores ECX",
    r"CPUID 0x8000001E: APIC ID and core id 0 \(vCPU 0\)",
    r"MCG_CAP has 4 banks",
    r"MC4_CTL \(past the banks\) gives #GP",
    r"MCG_STATUS is cleared",
    r"MCG_CTL takes all ones",
    r"MC3_CTL/STATUS/ADDR/MISC read, CTL set, STATUS cleared",
    r"a non-zero MC0_STATUS write gives #GP without HWCR.McStatusWrEn",
    r"HWCR reads with TscFreqSel",
    r"with McStatusWrEn MC0_STATUS takes a value, then clears",
    r"MCG_CAP is read-only",
    r"legacy perf MSR 0xc0010000 reads 0, write dropped",
    r"legacy perf MSR 0xc0010007 reads 0, write dropped",
    r"SYSCFG reads 0",
    r"Interrupt Pending Message reads 0",
    r"DE_CFG \(not in the model\) gives #GP",
    r"RDPMC 3 reads 0",
    r"RDPMC 4 gives #GP",
    r"RDPRU \(not offered\) gives #UD",
    r"CR4 = 0xffffffff gives #GP",
    r"CR4 bit 31 \(reserved\) gives #GP",
    r"CR4.VMXE gives #GP",
    r"CR4.PCE sets and clears",
    r"CR0.NW without CR0.CD gives #GP",
    r"CR0.PG without CR0.PE gives #GP",
    r"CR0.CD sets and clears",
    r"CR0 bit 20 \(reserved\) is ignored",
    r"LMSW sets CR0.EM from a register and clears it from memory",
    r"LMSW 0 cannot clear CR0.PE",
    r"MCA: RDMSR 0x17a works",
    r"MCE: CR4 bit 6 sets and clears",
    r"PCID hidden: setting CR4 bit 17 gives #GP",
    r"PKU hidden: setting CR4 bit 22 gives #GP",
    r"LA57 hidden: setting CR4 bit 12 gives #GP",
    r"SVM hidden: setting EFER bit 12 gives #GP",
    r"IBRS hidden: RDMSR 0x48 gives #GP",
    r"IBPB hidden: WRMSR 0x49 gives #GP",
    r"AutoIBRS hidden: setting EFER bit 21 gives #GP",
    r"PerfCtrExtCore hidden: RDMSR 0xc0010200 gives #GP",
    r"CPUID 0x40000100: KVM's signature, max leaf 0x40000101",
    r"CPUID 0x40000101: PV_EOI alone, no hints",
    r"PV EOI MSR takes the address of a flag in RAM and reads it back",
    r"PV EOI MSR: bit 1 \(reserved\) gives #GP",
    r"PV EOI MSR: an address in MMIO gives #GP",
    r"PV EOI MSR: an address beyond RAM gives #GP",
    r"PV EOI MSR: 0 turns it off",
    r"KVM's kvmclock MSR \(not offered\) gives #GP",
]

CPUMODEL = Scenario(
    name="qemu-cpu-model",
    timeout=150,
    grub=[YAKVM, "module2 /guests/cpu_model.elf name=cpumodel mem=8M kvm_pv=on"],
    checks=[Check("conformance: " + c.replace("\\", ""), P + "ok " + c) for c in ALWAYS] + [
        Check("the guest checked every feature of its table", P + r"feature \S+.*: (shown|hidden)$",
              count=43),
        Check("no conformance check fails", P + "FAIL", present=False),
        Check("it reports 0 failures", P + r"0 failures$"),
        Check("VM cpumodel ends with status 0", r"^yakvm: vm cpumodel ended with status 0"),
        Check("no panic or host exception", r"PANIC|EXCEPTION", present=False),
    ])

SCENARIOS = [CPUMODEL, dataclasses.replace(CPUMODEL, name="bochs-cpu-model", emulator="bochs",
                                           timeout=600)]
