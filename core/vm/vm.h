/*
 * core/vm/vm.h - a virtual machine: its name and description, its guest RAM
 * (guest-physical ranges backed by host pages), its nested page tables, its
 * devices, its vCPUs, its console line and its state.
 */
#ifndef YAKVM_CORE_VM_H
#define YAKVM_CORE_VM_H

#include <stdint.h>
#include <stdbool.h>
#include "core/vm/vmdesc.h"
#include "core/console/console.h"
#include "boot/bootinfo.h"
#include "lib/spinlock.h"
#include "mm/npt/npt.h"
#include "mm/guest_ram.h"
#include "core/run/timer.h"
#include "devices/bus.h"
#include "devices/irq.h"

#define MAX_VMS         16
#define VM_MAX_RAM_CHUNKS 4096
#define VM_MAX_DEVICES  24  /* the PC's, HPET, test device, virtio devices */
#define VM_MAX_ATTACHED 8
#define VM_EXIT_POLLS   2   /* virtio-net's transmit queue */

struct vcpu;
struct vcpu_boot_state;
struct gprs;
struct pcpu;
struct device;
struct gdbstub;

/* Who holds a VM paused (struct vm.paused): no vCPU of it runs while any
 * bit is set, except one gdb single-steps (vm_holds). */
#define VM_PAUSE_MONITOR 1u   /* the monitor's pause */
#define VM_PAUSE_GDB     2u   /* stopped for gdb (core/gdb/gdbstub.c) */
#define VM_PAUSE_GDB_STEP 4u  /* gdb steps one vCPU: the others wait */

struct image {
	uint64_t start, len;    /* the Multiboot2 module in host memory */
	char args[VM_ARGS_MAX]; /* the text after "--" on its module line */
};

enum vm_state {
	VM_CREATED,   /* being set up */
	VM_RUNNING,
	VM_STOPPED,   /* ended: by its own request, or stopped by yakvm */
};

struct vm {
	unsigned id;
	char name[VM_NAME_MAX + 1];
	struct vm_desc desc;
	volatile enum vm_state state;
	bool ending;                /* vm_stop/vm_end has claimed it (vm.c) */
	volatile uint8_t paused;    /* VM_PAUSE_* bits: no vCPU runs */
	struct spinlock lock;       /* its life cycle: state, ending, resetting,
				     * destroying change under it */

	/* Memory: what the guest sees (map) and its RAM (mm/guest_ram.c). */
	struct mem_range map[8];
	unsigned map_count;
	struct guest_ram ram;
	struct npt npt;             /* nested page tables */
	uint64_t npt_root_pa;       /* their root (N_CR3) */
	struct spinlock npt_lock;   /* changes to them while the VM runs */
	volatile uint32_t npt_gen;  /* bumped by each change (core/run/npt_shootdown.c) */
	uint32_t npt_shootdowns;    /* changes that had to wait for other CPUs */

	/* Intercept bitmaps shared by the VM's vCPUs (15.10, 15.11). */
	uint64_t iopm_pa, msrpm_pa;

	struct device *devices[VM_MAX_DEVICES];
	struct device *pic, *ioapic;  /* set by their models' init() */
	struct device *pci;         /* the PCI host bridge (devices/pci.h), set by its init() */
	struct device *lapic_mmio;  /* the LAPIC row (devices/vlapic.c) */
	bool legacy_replaced;       /* the HPET owns IRQ 0 and 8 (core/run/irq.c) */
	uint32_t legacy_irq_levels; /* what the PIT and RTC last set on them */
	/* Acknowledge notifiers (devices/irq.h): GSIs acknowledged and
	 * unmasked since they last ran, and the vectors whose EOI the
	 * vLAPICs pass to the IOAPIC although edge-triggered. */
	struct irq_ack_notifier *ack_notifiers[VM_ACK_NOTIFIERS];
	unsigned ack_notifier_count;
	uint32_t irq_acked, irq_unmasked;
	uint64_t ioapic_edge_vectors[4];
	uint32_t msi_dropped;       /* MSIs that reached no LAPIC (devices/msi.c) */
	unsigned ndevices;
	/* Work a device does at each exit of the VM's vCPUs instead of asking
	 * for an exit of its own (virtio-net's transmit polling): set up while
	 * the VM is built, run after every exit's handler (vm_exit_polls). */
	struct vm_exit_poll {
		void (*poll)(void *arg);
		void *arg;
	} exit_polls[VM_EXIT_POLLS];
	unsigned nexit_polls;
	struct bus bus;             /* its ports and MMIO ranges (devices/bus.h) */
	uint64_t host_bytes;        /* host memory for its state, beyond its RAM */
	uint8_t *pio_unowned_logged; /* one bit per port: logged once */
	/* Pages where nothing is that were touched (page + 1; core/run/unmapped.c). */
	uint64_t unmapped_logged[16];
	uint32_t unmapped_log_full;

	struct vcpu *vcpus[VM_VCPUS_MAX];
	unsigned nvcpus;

	struct image kernel;
	struct image attached[VM_MAX_ATTACHED];
	unsigned nattached;

	uint64_t acpi_rsdp;         /* GPA of its RSDP (guest/acpi.c) */
	enum vm_kind kind;          /* what its image turned out to be */
	/* A reset (core/vm/vm_reset.c): claimed by one CPU, done there in steps
	 * between its other vCPUs' time slices; no vCPU of the VM runs. */
	volatile bool reset_requested;
	volatile bool resetting;
	struct pcpu *reset_cpu;     /* the CPU doing it */
	unsigned reset_phase;       /* RESET_WAIT, RESET_CLEAR, RESET_REBUILD */
	unsigned reset_chunk;       /* the next RAM chunk to clear */
	unsigned resets;
	uint64_t timer_fires;       /* its device timers' (core/run/timer.c) */
	/* The monitor's destroy (core/vm/vm_destroy.c): waits for all of the VM's
	 * work, then frees all but this struct (static: vm_create). */
	volatile bool destroying;
	volatile bool destroyed;
	bool destroy_saw_reset;     /* it found a reset of it in progress */
	struct vtimer destroy_timer;
	uint64_t pages;             /* host pages it holds (logged by vm_start) */
	/* A reset or destroy waiting for a vCPU: since when, and logged. */
	uint64_t wait_since_us;
	bool wait_logged;

	struct gdbstub *gdb;        /* with gdb=: its stub (core/gdb/gdbstub.c) */

	struct console_line console;
	uint64_t start_us, end_us;
	int exit_status;            /* from the debug-exit port, or -1 */
};

/* Adds a poll run after each exit of the VM's vCPUs (false: table full).
 * poll() must be cheap when it has nothing to do: a flag read. */
static inline bool vm_add_exit_poll(struct vm *vm, void (*poll)(void *arg), void *arg)
{
	if (vm->nexit_polls == VM_EXIT_POLLS)
		return false;
	vm->exit_polls[vm->nexit_polls++] = (struct vm_exit_poll){ poll, arg };
	return true;
}
static inline void vm_exit_polls(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nexit_polls; i++)
		vm->exit_polls[i].poll(vm->exit_polls[i].arg);
}

extern struct vm *vms[MAX_VMS];
extern unsigned vm_count;

/* Creates a VM from a parsed description and its image; prints a clear
 * error naming the VM and returns NULL on failure. */
struct vm *vm_create(const struct vm_desc *desc, const struct image *kernel);
bool vm_attach(struct vm *vm, const struct image *img);
/* Loads the guest image(s), builds the vCPUs, and makes the VM runnable. */
bool vm_start(struct vm *vm);
/* Stops every vCPU of the VM with one line naming the VM, vCPU, RIP and
 * reason. Safe to call from any of its vCPUs' exit handlers. */
void vm_stop(struct vm *vm, struct vcpu *by, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Asks for a reset of the whole VM (i8042 0xFE, port 0x92, a triple fault
 * with on_reset=reboot, the monitor): vm_reset() claims it. */
void vm_request_reset(struct vm *vm);
/* Claims a requested reset for this CPU: from now on no vCPU of the VM
 * runs, and vm_reset_steps() on this CPU does it (core/vm/vm_reset.c). */
void vm_reset(struct vm *vm);
/* A bounded piece of each reset this CPU owns: wait for the VM's vCPUs to
 * leave their CPUs, clear some of its RAM, or rebuild it. Called by the
 * scheduler between time slices; true while work remains. */
bool vm_reset_steps(struct pcpu *p);
/* Loads the guest image(s) and changes `s` (the power-on state) and `regs`
 * to the boot vCPU's entry state, which the caller gives the backend. */
bool vm_load_guest(struct vm *vm, struct vcpu_boot_state *s, struct gprs *regs);
/* Ends the VM normally (the guest asked: debug-exit port, power-off). */
void vm_end(struct vm *vm, int status, const char *why);

/* Guest-physical → host pointer for [gpa, gpa+len) if it is all RAM in one
 * chunk; NULL otherwise (mm/guest_ram.c). */
static inline void *vm_gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len)
{
	return guest_ram_hva(&vm->ram, gpa, len);
}
/* Copy to/from guest RAM; false (and nothing copied) unless all of it is RAM. */
static inline bool vm_read_gpa(struct vm *vm, uint64_t gpa, void *dst, uint64_t len)
{
	return guest_ram_read(&vm->ram, gpa, dst, len);
}
static inline bool vm_write_gpa(struct vm *vm, uint64_t gpa, const void *src, uint64_t len)
{
	return guest_ram_write(&vm->ram, gpa, src, len);
}
/* True while a VM runs or is being destroyed. */
bool vm_any_running(void);
/* The monitor's pause and resume: the VM's vCPUs leave their CPUs and are
 * not scheduled until resumed. */
void vm_set_paused(struct vm *vm, bool paused);
/* Sets or clears one VM_PAUSE_* bit, and makes the vCPUs look. */
void vm_pause_bit(struct vm *vm, unsigned bit, bool on);
/* True if vCPU v may not run now: the VM is paused, and v is not the one
 * gdb single-steps (that one runs alone). */
bool vm_holds(const struct vm *vm, const struct vcpu *v);
/* True once none of the VM's vCPUs is on a CPU other than this one (this
 * CPU's own, if it is one of them, is between two exits): gdb's stop. */
bool vm_vcpus_off_cpu(struct vm *vm);
/* The first of the VM's vCPUs that is some CPU's current vCPU (a full
 * fence first), or NULL; *cpu says which CPU. */
struct vcpu *vm_vcpu_on_cpu(struct vm *vm, unsigned *cpu);
/* The monitor's destroy: stops the VM and returns at once; a timer frees
 * its memory once none of its vCPUs is on a CPU or a run queue and no reset
 * of it runs, and prints "vm NAME: destroyed". False if it is already
 * destroying or destroyed. */
bool vm_destroy(struct vm *vm);

#endif
