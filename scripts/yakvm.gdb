# scripts/yakvm.gdb - loaded by `make debug` (and the gdb e2e test).
# QEMU starts halted in the firmware; GRUB loads yakvm later and would
# overwrite software breakpoints, so early breakpoints are hardware ones.
set pagination off
set confirm off
set disassembly-flavor att

# yakvm-vcpus: every VM and its vCPUs, with state, RIP and exits.
define yakvm-vcpus
  set $i = 0
  while $i < vm_count
    set $vm = vms[$i]
    printf "vm %s: state %d, %u vCPU(s), %lu MiB\n", $vm->name, $vm->state, $vm->nvcpus, $vm->desc.mem >> 20
    set $j = 0
    while $j < $vm->nvcpus
      set $v = $vm->vcpus[$j]
      printf "  vcpu %u: state %d, rip 0x%lx, cs 0x%x, cr0 0x%lx, efer 0x%lx, %lu exits\n", $j, $v->state, $v->vmcb->save.rip, $v->vmcb->save.cs.selector, $v->vmcb->save.cr0, $v->vmcb->save.efer, $v->exits
      set $j = $j + 1
    end
    set $i = $i + 1
  end
end
document yakvm-vcpus
List yakvm's VMs and their vCPUs: state, guest RIP, CS, CR0, EFER, exit count.
end

# yakvm-vmcb VM VCPU: the VMCB of vCPU VCPU of VM number VM, decoded.
define yakvm-vmcb
  set $v = vms[$arg0]->vcpus[$arg1]
  set $c = &$v->vmcb->control
  set $s = &$v->vmcb->save
  printf "vm %s vcpu %d VMCB at 0x%lx\n", vms[$arg0]->name, $arg1, $v->vmcb_pa
  printf "  intercepts: misc1 0x%08x misc2 0x%08x exceptions 0x%08x\n", $c->intercept_misc1, $c->intercept_misc2, $c->intercept_exceptions
  printf "  asid %u, np_enable %lu, n_cr3 0x%lx, v_intr 0x%lx, eventinj 0x%lx\n", $c->guest_asid, $c->np_enable, $c->n_cr3, $c->v_intr, $c->eventinj
  printf "  last exit 0x%lx info1 0x%lx info2 0x%lx exitintinfo 0x%lx\n", $c->exitcode, $c->exitinfo1, $c->exitinfo2, $c->exitintinfo
  printf "  rip 0x%lx rsp 0x%lx rflags 0x%lx cpl %u\n", $s->rip, $s->rsp, $s->rflags, $s->cpl
  printf "  cr0 0x%lx cr3 0x%lx cr4 0x%lx efer 0x%lx g_pat 0x%lx\n", $s->cr0, $s->cr3, $s->cr4, $s->efer, $s->g_pat
  printf "  cs %04x base 0x%lx attr 0x%03x  ss %04x  ds %04x\n", $s->cs.selector, $s->cs.base, $s->cs.attrib, $s->ss.selector, $s->ds.selector
end
document yakvm-vmcb
yakvm-vmcb VM VCPU: print the decoded VMCB of a vCPU (VM is its number in vms[]).
end

# yakvm-exits: exits by reason for every VM (core/diag/stats.h).
define yakvm-exits
  set $i = 0
  while $i < vm_count
    set $vm = vms[$i]
    printf "vm %s:", $vm->name
    set $k = 0
    while $k < STAT_NCLASSES
      set $n = 0
      set $j = 0
      while $j < $vm->nvcpus
        set $n = $n + $vm->vcpus[$j]->stats.c[$k].count
        set $j = $j + 1
      end
      if $n > 0
        printf " %s=%lu", stat_class_names[$k], $n
      end
      set $k = $k + 1
    end
    printf "\n"
    set $i = $i + 1
  end
end
document yakvm-exits
Exits of every VM by reason, summed over its vCPUs.
end
