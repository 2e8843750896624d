# scripts/yakvm.gdb - loaded by `make debug`.
# QEMU starts halted in the firmware; GRUB loads yakvm later and would
# overwrite software breakpoints, so use hardware ones (hbreak) for early code.
set pagination off
set confirm off
set disassembly-flavor att
hbreak yakvm_main
hbreak panic
echo \nyakvm: stopped before the firmware runs; `continue` runs to yakvm_main.\n
echo yakvm: useful: `bt`, `info registers`, `p *this_cpu()`, `p *vms[0]`, `p *vms[0]->vcpus[0]->vmcb`\n
