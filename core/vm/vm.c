/*
 * core/vm/vm.c - the life of a VM: vm_create() gives it RAM, nested page tables,
 * intercept bitmaps and devices; vm_start() loads its guest and makes its
 * boot vCPU runnable; vm_stop() and vm_end() finish it, alone.
 */
#include <stdarg.h>
#include "core/vm/vm.h"
#include "core/run/lapic_window.h"
#include "core/run/vcpu.h"
#include "lib/log.h"
#include "core/run/sched.h"
#include "core/gdb/gdbstub.h"
#include "arch/x86/cpu.h"
#include "arch/x86/cpu_model.h"
#include "arch/x86/tsc.h"
#include "arch/x86/lapic.h"
#include "arch/x86/interrupt.h"
#include "arch/x86/pcpu.h"
#include "mm/pmm.h"
#include "mm/npt/npt_vm.h"
#include "devices/bus.h"
#include "devices/vlapic.h"
#include "devices/irq.h"
#include "guest/layout.h"
#include "guest/multiboot1.h"
#include "guest/acpi.h"
#include "guest/linux.h"
#include "devices/ioapic.h"
#include "devices/hpet.h"
#include "devices/virtio/virtio_vm.h"
#include "guest/mptable.h"
#include "lib/format.h"
#include "lib/string.h"

struct vm *vms[MAX_VMS];
unsigned vm_count;
/* The VMs themselves are not host pages: what stays of a destroyed VM (its
 * name and state, for `list`) holds none (core/vm/vm_destroy.c). */
static struct vm vm_pool[MAX_VMS];

static bool alloc_bitmaps(struct vm *vm)
{
	if (!vendor_vm_alloc(vm))	/* the IOPM and MSRPM */
		return false;
	uint64_t logged = pmm_alloc_pages(2);
	if (!logged)
		return false;
	vm->pio_unowned_logged = phys_to_virt(logged);
	return true;
}

static struct vm *find_vm(const char *name)
{
	for (unsigned i = 0; i < vm_count; i++)
		if (strcmp(vms[i]->name, name) == 0)
			return vms[i];
	return NULL;
}

struct vm *vm_create(const struct vm_desc *desc, const struct image *kernel)
{
	if (find_vm(desc->name)) {
		log_error("vm %s: a VM with this name exists already; not created", desc->name);
		return NULL;
	}
	if (vm_count == MAX_VMS) {
		log_error("vm %s: at most %u VMs; not created", desc->name, MAX_VMS);
		return NULL;
	}
	uint64_t need = desc->mem + desc->mem / 256 + 64 * PAGE_SIZE;
	if (need > pmm_free_bytes()) {
		log_error("vm %s: mem=%luM does not fit: %lu MiB of host memory are free; "
			  "not created", desc->name, desc->mem >> 20, pmm_free_bytes() >> 20);
		return NULL;
	}
	uint64_t free_before = pmm_free_bytes();
	struct vm *vm = &vm_pool[vm_count];
	memset(vm, 0, sizeof(*vm));	/* a failed create may have used it */
	vm->id = vm_count;
	vm->desc = *desc;
	strlcpy(vm->name, desc->name, sizeof(vm->name));
	vm->kernel = *kernel;
	vm->exit_status = -1;
	vm->state = VM_CREATED;

	struct guest_layout l;
	guest_layout_build(desc->mem, &l);
	memcpy(vm->map, l.map, l.map_count * sizeof(l.map[0]));
	vm->map_count = l.map_count;

	if (!alloc_bitmaps(vm) || !yakvm_vmm_npt_create(&vm->npt) ||
	    !guest_ram_alloc(&vm->ram, l.ram, l.ram_count, &vm->npt, desc->npt_4k) ||
	    !bus_add_devices(vm, machine_pc) ||
	    (desc->hpet && !bus_add_devices(vm, machine_hpet)) ||
	    (desc->testdev && !bus_add_devices(vm, machine_testdev)) ||
	    !virtio_add_devices(vm)) {
		log_error("vm %s: out of host memory while building it; not created",
			  desc->name);
		return NULL;	/* what was allocated stays allocated: boot-time only */
	}
	vm->npt_root_pa = vm->npt.root_pa;
	/* Measured, not estimated: boot is single-threaded here. */
	vm->pages = (free_before - pmm_free_bytes()) / PAGE_SIZE;
	vm->host_bytes = free_before - pmm_free_bytes() - (uint64_t)vm->ram.nchunks * LARGE_PAGE_SIZE;
	uint64_t high = 0;
	for (unsigned i = 0; i < vm->ram.nchunks; i++)
		if (vm->ram.chunks[i].hpa >= 0x100000000ull)
			high += vm->ram.chunks[i].size;
	if (high)
		log_info("vm %s: %lu MiB of its RAM is host memory above 4 GiB",
			 vm->name, high >> 20);
	console_vm_register(&vm->console, vm->name);
	vms[vm_count++] = vm;
	return vm;
}

bool vm_attach(struct vm *vm, const struct image *img)
{
	if (vm->nattached == VM_MAX_ATTACHED) {
		log_error("vm %s: at most %u attached modules", vm->name, VM_MAX_ATTACHED);
		return false;
	}
	vm->attached[vm->nattached++] = *img;
	return true;
}

static int gm_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	return vm_write_gpa(ctx, gpa, src, len) ? 0 : -1;
}

static int gm_zero(void *ctx, uint64_t gpa, size_t len)
{
	struct vm *vm = ctx;
	static const uint8_t zeros[256];
	/* Check first, so a bad range writes nothing. */
	for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
		uint64_t n = len - off < PAGE_SIZE ? len - off : PAGE_SIZE;
		if (!vm_gpa_to_hva(vm, gpa + off, 1) || !vm_gpa_to_hva(vm, gpa + off + n - 1, 1))
			return -1;
	}
	for (uint64_t off = 0; off < len; off += sizeof(zeros)) {
		uint64_t n = len - off < sizeof(zeros) ? len - off : sizeof(zeros);
		if (!vm_write_gpa(vm, gpa + off, zeros, n))
			return -1;
	}
	return 0;
}

/* Multiboot1 entry state (Multiboot spec 0.6.96, 3.2): 32-bit protected mode,
 * paging off, flat 4 GiB code and data segments, EAX = magic, EBX = info. */
static void set_multiboot1_state(struct vcpu_boot_state *s, struct gprs *regs,
				 const struct mb1_entry *e)
{
	uint16_t code = SEG_ATTR_TYPE(0xb) | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_DB | SEG_ATTR_G;
	uint16_t data = SEG_ATTR_TYPE(0x3) | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_DB | SEG_ATTR_G;
	s->cs = (struct x86_seg){ 0x08, code, 0xffffffff, 0 };
	s->ds = s->es = s->fs = s->gs = s->ss = (struct x86_seg){ 0x10, data, 0xffffffff, 0 };
	s->tr = (struct x86_seg){ 0, SEG_ATTR_TYPE(0xb) | SEG_ATTR_P, 0xffff, 0 };
	s->cr0 = CR0_PE | CR0_ET;
	s->rip = e->eip;
	s->rflags = 0x2;
	regs->r[GPR_RAX] = e->eax;
	regs->r[GPR_RBX] = e->ebx;
}

static bool load_multiboot(struct vm *vm, struct vcpu_boot_state *s, struct gprs *regs)
{
	struct guest_mem gm = { vm, gm_write, gm_zero, vm->map, vm->map_count };
	struct mb1_module_src mods[VM_MAX_ATTACHED];
	for (unsigned i = 0; i < vm->nattached; i++)
		mods[i] = (struct mb1_module_src){
			phys_to_virt(vm->attached[i].start), vm->attached[i].len,
			vm->attached[i].args };
	struct mb1_entry e;
	char err[160];
	if (mb1_load(&gm, phys_to_virt(vm->kernel.start), vm->kernel.len,
		     vm->kernel.args, mods, vm->nattached, &e, err, sizeof(err)) != 0) {
		log_error("vm %s: cannot load its Multiboot1 image: %s", vm->name, err);
		return false;
	}
	set_multiboot1_state(s, regs, &e);
	return true;
}

/* The Linux boot protocol's entry state (Documentation/arch/x86/boot.rst,
 * "64-bit BOOT PROTOCOL" / "32-bit BOOT PROTOCOL"; guest/linux.h): flat
 * segments 0x10 (code) and 0x18 (data) from the loader's GDT, interrupts
 * off, RSI = the zero page; for 64-bit, long mode on its identity tables. */
static void set_linux_state(struct vcpu_boot_state *s, struct gprs *regs,
			    const struct linux_entry *e)
{
	uint16_t data = SEG_ATTR_TYPE(0x3) | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_DB | SEG_ATTR_G;
	uint16_t code = SEG_ATTR_TYPE(0xb) | SEG_ATTR_S | SEG_ATTR_P | SEG_ATTR_G |
			(e->entry64 ? SEG_ATTR_L : SEG_ATTR_DB);
	s->cs = (struct x86_seg){ LINUX_BOOT_CS, code, 0xffffffff, 0 };
	s->ds = s->es = s->fs = s->gs = s->ss =
		(struct x86_seg){ LINUX_BOOT_DS, data, 0xffffffff, 0 };
	s->tr = (struct x86_seg){ 0, SEG_ATTR_TYPE(0xb) | SEG_ATTR_P, 0xffff, 0 };
	s->gdtr = (struct x86_seg){ 0, 0, e->gdt_limit, e->gdt_base };
	s->rflags = 0x2;
	s->rip = e->rip;
	regs->r[GPR_RSI] = e->rsi;
	if (e->entry64) {
		s->cr3 = e->cr3;
		s->cr4 = CR4_PAE;
		s->efer = EFER_LME | EFER_LMA;
		s->cr0 = CR0_PE | CR0_ET | CR0_PG;
	} else {
		s->cr0 = CR0_PE | CR0_ET;
	}
}

static bool load_linux(struct vm *vm, struct vcpu_boot_state *s, struct gprs *regs)
{
	/* An initrd is optional, as with QEMU's -kernel without -initrd: the
	 * root file system may be on a disk, or not needed at all. */
	struct guest_mem gm = { vm, gm_write, gm_zero, vm->map, vm->map_count };
	/* The guest's e820: its memory map, plus the IOAPIC and LAPIC pages. */
	struct mem_range e820[10];
	unsigned n = 0;
	for (unsigned i = 0; i < vm->map_count && n < 8; i++)
		e820[n++] = vm->map[i];
	e820[n++] = (struct mem_range){ IOAPIC_BASE, 0x1000, MEM_RESERVED };
	e820[n++] = (struct mem_range){ LAPIC_DEFAULT_BASE, 0x1000, MEM_RESERVED };
	struct linux_params p = {
		.kernel = phys_to_virt(vm->kernel.start), .kernel_len = vm->kernel.len,
		.initrd = vm->nattached ? phys_to_virt(vm->attached[0].start) : NULL,
		.initrd_len = vm->nattached ? vm->attached[0].len : 0,
		.cmdline = vm->kernel.args, .acpi_rsdp = vm->acpi_rsdp,
		.e820 = e820, .e820_count = n,
	};
	struct linux_entry e;
	char err[200];
	if (linux_load(&gm, &p, &e, err, sizeof(err)) != 0) {
		log_error("vm %s: cannot load its Linux kernel: %s", vm->name, err);
		return false;
	}
	set_linux_state(s, regs, &e);
	log_info("vm %s: Linux kernel at 0x%lx (%s entry)%s", vm->name, e.load_addr,
		 e.entry64 ? "64-bit" : "32-bit", p.initrd ? ", with an initrd" : "");
	return true;
}

static bool is_linux_image(const uint8_t *img, uint64_t len)
{
	return linux_probe(img, len);
}

/* The VM's firmware tables, in its reserved RAM below 1 MiB: ACPI (RSDP v2,
 * XSDT, FADT, DSDT, MADT) at 0xe0000, where a guest scanning for the RSDP
 * finds it, and the MP table at 0xf0000. */
#define ACPI_TABLES_GPA 0xe0000ull
#define MP_TABLE_GPA    0xf0000ull

static bool build_firmware_tables(struct vm *vm)
{
	struct acpi_config c;
	char err[120];
	acpi_config_pc(&c, vm->nvcpus);
	if (vm->desc.hpet)
		c.hpet_base = HPET_BASE;
	uint8_t *acpi = vm_gpa_to_hva(vm, ACPI_TABLES_GPA, 0x10000);
	uint8_t *mp = vm_gpa_to_hva(vm, MP_TABLE_GPA, 0x10000);
	if (!acpi || !mp ||
	    !(vm->acpi_rsdp = acpi_build(&c, acpi, 0x10000, ACPI_TABLES_GPA, err, sizeof(err))) ||
	    !mptable_build(&c, mp, 0x10000, MP_TABLE_GPA, err, sizeof(err))) {
		log_error("vm %s: cannot build its firmware tables: %s", vm->name,
			  acpi && mp ? err : "no RAM at 0xe0000");
		return false;
	}
	return true;
}

bool vm_load_guest(struct vm *vm, struct vcpu_boot_state *s, struct gprs *regs)
{
	if (!build_firmware_tables(vm))
		return false;
	return vm->kind == VM_KIND_LINUX ? load_linux(vm, s, regs)
					 : load_multiboot(vm, s, regs);
}

bool vm_start(struct vm *vm)
{
	const uint8_t *img = phys_to_virt(vm->kernel.start);
	enum vm_kind kind = vm->desc.kind;
	if (kind == VM_KIND_AUTO)
		kind = mb1_probe(img, vm->kernel.len) ? VM_KIND_MULTIBOOT :
		       is_linux_image(img, vm->kernel.len) ? VM_KIND_LINUX : VM_KIND_AUTO;
	if (kind == VM_KIND_AUTO) {
		log_error("vm %s: its image is neither a Multiboot1 kernel nor a Linux "
			  "bzImage; not started", vm->name);
		return false;
	}
	vm->kind = kind;
	uint64_t free_before = pmm_free_bytes();
	for (unsigned i = 0; i < vm->desc.vcpus; i++) {
		struct vcpu *v = yakvm_create_vcpu(vm, i);
		if (!v) {
			log_error("vm %s: out of host memory for vCPU %u; not started", vm->name, i);
			return false;
		}
		vm->vcpus[vm->nvcpus++] = v;
	}
	uint64_t vcpu_bytes = (free_before - pmm_free_bytes()) / vm->nvcpus;
	struct vcpu_boot_state s;
	vcpu_power_on_state(&s);
	if (!vm_load_guest(vm, &s, &vm->vcpus[0]->regs))
		return false;
	vendor_set_boot_state(vm->vcpus[0], false, &s);
	vm->pages += (free_before - pmm_free_bytes()) / PAGE_SIZE;
	char why[160];
	if (!vendor_check_state(vm->vcpus[0], why, sizeof(why))) {
		log_error("vm %s: its initial state would fail VMRUN: %s", vm->name, why);
		return false;
	}
	if (vm->desc.gdb_port)
		gdbstub_attach_vm(vm);	/* without gdb if its port is taken */
	vm->start_us = time_us();
	vm->state = VM_RUNNING;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		if (!sched_add(vm->vcpus[i])) {
			vm->state = VM_STOPPED;
			log_error("vm %s: none of the CPUs in its cpus= list is online; "
				  "not started", vm->name);
			return false;
		}
	log_info("vm %s: started: %lu MiB, %u vCPU%s", vm->name, vm->desc.mem >> 20,
		 vm->nvcpus, vm->nvcpus == 1 ? "" : "s");
	log_info("vm %s: RAM in %u 2 MiB and %u 4 KiB nested pages; host memory beyond "
		 "its RAM: %lu KiB for the VM, %lu KiB per vCPU", vm->name, vm->ram.npt_2m,
		 vm->ram.npt_4k, vm->host_bytes >> 10, vcpu_bytes >> 10);
	log_info("vm %s: footprint %lu pages", vm->name, vm->pages);
	return true;
}

/* The first caller claims the VM's end and stops its vCPUs; it then says
 * why and calls done(), which marks the VM stopped. In that order, so CPU 0
 * cannot see every VM ended (and end the run) before the last line is out. */
/* Lines printed + lines dropped = lines written (core/console/console_ring.h). */
static void console_report_drops(struct vm *vm)
{
	uint64_t f = spin_lock(&vm->console.lock);
	uint64_t written = vm->console.ring.written, dropped = vm->console.ring.dropped;
	spin_unlock(&vm->console.lock, f);
	if (dropped)
		log_info("vm %s: console: %lu lines written, %lu dropped (its queue was full)",
			 vm->name, written, dropped);
}

static bool claim_end(struct vm *vm)
{
	uint64_t f = spin_lock(&vm->lock);
	bool first = vm->state == VM_RUNNING && !vm->ending;
	vm->ending = true;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vm->vcpus[i]->state = VCPU_STOPPED;
	spin_unlock(&vm->lock, f);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vcpu_kick(vm->vcpus[i]);	/* out of the guest, wherever it runs */
	if (first) {
		console_vm_flush(&vm->console, vm->name);
		console_report_drops(vm);
	}
	return first;
}

static void done(struct vm *vm)
{
	vm->end_us = time_us();
	bus_stop_devices(vm);	/* no timer of it interrupts a CPU again */
	if (vm->gdb)
		gdbstub_vm_ended(vm);	/* gdb hears of it before yakvm may exit */
	__atomic_store_n(&vm->state, VM_STOPPED, __ATOMIC_RELEASE);
	if (pcpus[0] && this_cpu() != pcpus[0])	/* CPU 0 notices when all have ended */
		lapic_send_ipi(pcpus[0]->apic_id, VEC_RESCHED);
}

void vm_stop(struct vm *vm, struct vcpu *by, const char *fmt, ...)
{
	if (!claim_end(vm))
		return;
	char why[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (by)
		log_error("vm %s/%u stopped at rip=0x%lx: %s", vm->name, by->id,
			  vendor_rip(by), why);
	else
		log_error("vm %s stopped: %s", vm->name, why);
	stats_print_vm(vm);	/* core/diag/stats.c */
	done(vm);
}

void vm_end(struct vm *vm, int status, const char *why)
{
	if (!claim_end(vm))
		return;
	vm->exit_status = status;
	log_info("vm %s ended with status %d (%s) after %lu ms", vm->name, status, why,
		 (time_us() - vm->start_us) / 1000);
	stats_print_vm(vm);	/* core/diag/stats.c */
	done(vm);
}

bool vm_any_running(void)
{
	/* A VM being destroyed still has work: the run does not end before
	 * its "destroyed" line. */
	for (unsigned i = 0; i < vm_count; i++)
		if (vms[i]->state == VM_RUNNING || vms[i]->destroying)
			return true;
	return false;
}

void vm_pause_bit(struct vm *vm, unsigned bit, bool on)
{
	uint64_t f = spin_lock(&vm->lock);	/* a life-cycle change like the others */
	if (on)
		__atomic_or_fetch(&vm->paused, (uint8_t)bit, __ATOMIC_SEQ_CST);
	else
		__atomic_and_fetch(&vm->paused, (uint8_t)~bit, __ATOMIC_SEQ_CST);
	spin_unlock(&vm->lock, f);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vcpu_kick(vm->vcpus[i]);	/* out of the guest now (pause) or */
}					/* looked at again (resume) */

void vm_set_paused(struct vm *vm, bool paused)
{
	vm_pause_bit(vm, VM_PAUSE_MONITOR, paused);
}

bool vm_holds(const struct vm *vm, const struct vcpu *v)
{
	unsigned held = vm->paused;
	if (v->dbg.step)
		held &= ~VM_PAUSE_GDB_STEP;
	return held != 0;
}

bool vm_vcpus_off_cpu(struct vm *vm)
{
	/* This CPU's own vCPU, if it is one of them, is between two exits and
	 * its loop ends before the next VMRUN (arch/x86/svm/run.c). */
	for (unsigned c = 0; c < pcpu_count; c++)
		for (unsigned i = 0; pcpus[c] && pcpus[c] != this_cpu() && i < vm->nvcpus; i++)
			if (pcpus[c]->current == vm->vcpus[i])
				return false;
	return true;
}

struct vcpu *vm_vcpu_on_cpu(struct vm *vm, unsigned *cpu)
{
	/* Pairs with the fence in sched_loop between setting `current` and
	 * the vCPU loop's look at the VM's state. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	for (unsigned c = 0; c < pcpu_count; c++)
		for (unsigned i = 0; pcpus[c] && i < vm->nvcpus; i++)
			if (__atomic_load_n(&pcpus[c]->current, __ATOMIC_ACQUIRE) == vm->vcpus[i]) {
				*cpu = c;
				return vm->vcpus[i];
			}
	return NULL;
}
