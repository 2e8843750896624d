/*
 * core/gdb/gdbstub.h - a GDB remote stub for one VM (gdb= on its module line,
 * docs/debugging.md), over a host UART of its own (COM2 usually).
 *
 * gdb works in all-stop mode: when one vCPU stops (a breakpoint, the end of
 * a step, Ctrl-C), every vCPU of the VM is held (VM_PAUSE_GDB) before gdb is
 * told; while stopped, gdb reads and writes registers and memory; 'c' lets
 * them all run again, 's' lets only the stepped vCPU run, for one
 * instruction. Each vCPU is a gdb thread: thread id = vCPU index + 1.
 *
 * The UART is polled from a device timer (core/run/timer.h) on the CPU that
 * booted, every millisecond: yakvm never waits for gdb, and the other VMs
 * run on whatever gdb does.
 */
#ifndef YAKVM_CORE_GDBSTUB_H
#define YAKVM_CORE_GDBSTUB_H

#include <stdint.h>
#include <stdbool.h>

struct vm;
struct vcpu;
struct gdb_hw_break;

/* Gives the VM a stub on the UART of its gdb= option, before its vCPUs
 * run. Returns false (with one error line; the VM then runs without gdb)
 * if the port is the console's or another VM's. Unless ",nowait", the VM
 * starts held, waiting for gdb. */
bool gdbstub_attach_vm(struct vm *vm);

/* From the VM's exits (arch/x86/svm/debug.c): */
/* True if gdb has a software breakpoint at this linear address. */
bool gdbstub_sw_break_at(struct vm *vm, uint64_t la);
/* Which of DR0-DR3 gdb uses (bit i for slot i), and slot i's breakpoint. */
unsigned gdbstub_hw_slots(struct vm *vm);
const struct gdb_hw_break *gdbstub_hw_slot_of(struct vm *vm, unsigned i);
/* vCPU v stopped for gdb with signal sig (5 SIGTRAP) and extra stop-reply
 * fields ("swbreak:;", "hwbreak:;", "watch:ADDR;" or ""). The first stop
 * while gdb waits for one holds the VM; later ones are dropped (their vCPU
 * will execute the same instruction again, and stop again if it must). */
void gdbstub_stop(struct vcpu *v, int sig, const char *extra);
/* A #DB with DR6.BS on a vCPU gdb steps: the step is done (and stops the
 * VM); gdbstub_end_step only gives the guest its own RFLAGS.TF back. */
void gdbstub_step_done(struct vcpu *v);
void gdbstub_end_step(struct vcpu *v);
/* After any other exit of a stepped vCPU: an instruction yakvm emulated
 * (RIP moved) is a whole step too, as no #DB trap follows it. */
void gdbstub_step_check(struct vcpu *v);

/* From the vCPU loop, on v's CPU just before VMRUN, if v->dbg.dr_dirty. */
void gdbstub_load_debug_regs(struct vcpu *v);
/* The VM ended (core/vm/vm.c): gdb, if it waits for a stop, hears 'W' or 'X'. */
void gdbstub_vm_ended(struct vm *vm);

#endif
