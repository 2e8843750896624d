/*
 * core/main.c - yakvm from GRUB's handoff to the first VMRUN:
 *
 *   1. parse the Multiboot2 block (before allocating: under BIOS it lies
 *      just past yakvm's _end, where free memory begins)
 *   2. console, page allocator, W^X page tables, GDT/IDT/TSS, timers,
 *      the host's PCI functions and disks (drivers/)
 *   3. yakvm_cpu_svm_enable(): EFER.SVME and the host-save area
 *   4. one VM per module line with name=, modules with attach= added to them
 *   5. the scheduler runs the vCPUs: yakvm_vcpu_run() → _yakvm_vcpu_run()
 */
#include "core/main.h"
#include "arch/x86/spec.h"
#include "lib/log.h"
#include "core/console/console.h"
#include "arch/x86/mce.h"
#include "arch/x86/fbcon.h"
#include "core/vm/vm.h"
#include "core/vm/vmdesc.h"
#include "core/vm/disk_images.h"
#include "core/run/sched.h"
#include "core/run/timer.h"
#include "core/console/input.h"
#include "boot/multiboot2.h"
#include "arch/x86/cpu.h"
#include "arch/x86/pcpu.h"
#include "arch/x86/interrupt.h"
#include "arch/x86/lapic.h"
#include "arch/x86/serial.h"
#include "arch/x86/tsc.h"
#include "arch/x86/smp.h"
#include "arch/x86/fpu.h"
#include "arch/x86/cpu_model.h"
#include "arch/x86/vendor.h"
#include "mm/pmm.h"
#include "mm/paging.h"
#include "drivers/pci/pci.h"
#include "drivers/block/disks.h"
#include "drivers/net/netdev.h"
#include "net/uplink.h"
#include "lib/string.h"

#define YAKVM_VERSION "0.1"

struct yakvm_options yakvm_opts;
static struct boot_info boot_info;
static struct pcpu bsp;

void yakvm_idle(void)
{
	if (yakvm_opts.on_idle != ON_IDLE_EXIT)
		return;
	log_info("on_idle=exit: ending the emulator run");
	serial_drain();
	outl(0xf4, 0);	/* QEMU isa-debug-exit: exits with status 1 */
	for (const char *s = "Shutdown"; *s; s++)
		outb(0x8900, (uint8_t)*s);	/* Bochs */
}

static void log_boot_info(const struct boot_info *bi)
{
	log_info("loader: %s", bi->loader_name[0] ? bi->loader_name : "(unnamed)");
	log_info("command line: %s", bi->cmdline);
	uint64_t usable = 0;
	for (unsigned i = 0; i < bi->mmap_count; i++) {
		const struct mem_range *r = &bi->mmap[i];
		log_debug("  memory 0x%016lx-0x%016lx type %u", r->base,
			  r->base + r->len - 1, r->type);
		if (r->type == MEM_USABLE)
			usable += r->len;
	}
	log_info("memory map: %u ranges, %lu MiB usable; %u modules; ACPI RSDP %s",
		 bi->mmap_count, usable >> 20, bi->module_count,
		 bi->rsdp_len ? (bi->rsdp_len == 36 ? "v2" : "v1") : "none");
	if (bi->dropped_mmap || bi->dropped_modules)
		log_warn("boot info truncated: %u memory ranges and %u modules dropped",
			 bi->dropped_mmap, bi->dropped_modules);
}

static void check_wx(void)
{
	uint64_t leaves;
	uint64_t bad = paging_count_wx(&leaves);
	if (bad)
		panic("W^X: %lu of %lu host mappings are writable and executable", bad, leaves);
	log_info("W^X: %lu host page mappings checked, none writable and executable",
		 leaves);
	unsigned guards = 0;
	for (unsigned i = 0; i < pcpu_count; i++)
		guards += pcpus[i] ? pcpu_ist_guards_unmapped(pcpus[i]) : 0;
	log_info("IST stacks (NMI, #DF, #MC): %u of %u guard pages unmapped", guards,
		 3 * pcpu_count);
}

static void create_vms(const struct boot_info *bi)
{
	static struct mod_line ml;	/* large: keep it off the stack */
	char err[160];
	/* Each VM's footprint is logged by vm_start; destroys give it all back
	 * (core/vm/vm_destroy.c): the monitor's `mem` shows the difference. */
	log_info("%lu pages free before the VMs", pmm_free_bytes() / PAGE_SIZE);
	/* The disk images first: a VM's disk= may name one on any line. */
	for (unsigned i = 0; i < bi->module_count; i++) {
		const struct boot_module *m = &bi->modules[i];
		if (vmdesc_parse(m->cmdline, &ml, err, sizeof(err)) != 0 || ml.role != MOD_IMAGE)
			continue;
		if (disk_image_add(ml.image, m->start, m->end - m->start))
			log_info("image %s: module %u, %lu bytes", ml.image, i + 1,
				 m->end - m->start);
		else
			log_error("module %u: image=%s: the name is taken or there are %u "
				  "images already; ignored", i + 1, ml.image, DISK_IMAGES_MAX);
	}
	for (unsigned i = 0; i < bi->module_count; i++) {
		const struct boot_module *m = &bi->modules[i];
		if (vmdesc_parse(m->cmdline, &ml, err, sizeof(err)) != 0) {
			log_error("module %u (\"%s\"): %s; no VM created from it", i + 1,
				  m->cmdline, err);
			continue;
		}
		static struct image img;
		img.start = m->start;
		img.len = m->end - m->start;
		strlcpy(img.args, ml.args, sizeof(img.args));
		if (ml.role == MOD_IMAGE)
			continue;
		if (ml.role == MOD_VM) {
			vm_create(&ml.vm, &img);
			continue;
		}
		struct vm *target = NULL;
		for (unsigned k = 0; k < vm_count; k++)
			if (strcmp(vms[k]->name, ml.attach_to) == 0)
				target = vms[k];
		if (!target)
			log_error("module %u: attach=%s: no VM of that name before this line",
				  i + 1, ml.attach_to);
		else
			vm_attach(target, &img);
	}
	unsigned started = 0;
	for (unsigned i = 0; i < vm_count; i++)
		started += vm_start(vms[i]);
	log_info("%u of %u VMs started", started, vm_count);
}

extern uint64_t boot_entry_tsc;	/* boot/entry.S */

void yakvm_main(uint32_t magic, uint64_t info_pa)
{
	/* 1. A random stack-protector canary, before any function that checks
	 * it can return; then the Multiboot2 block: nothing is allocated yet. */
	stack_canary_init();
	serial_init(0x3f8);
	char err[160] = "";
	int parsed = -1;
	if (magic == MB2_BOOTLOADER_MAGIC) {
		const uint32_t *info = phys_to_virt(info_pa);
		parsed = mb2_parse(&boot_info, info, info[0], info_pa, err, sizeof(err));
	}
	options_defaults(&yakvm_opts);
	char warn[512] = "";
	int problems = parsed == 0 ? options_parse(boot_info.cmdline, &yakvm_opts,
						   warn, sizeof(warn)) : 0;

	/* 2. The console, then memory. */
	console_init(yakvm_opts.console_port);
	log_set_level(yakvm_opts.loglevel);
	kprintf("\nyakvm " YAKVM_VERSION ": a micro-hypervisor for AMD-V (SVM)\n");
	log_info("the boot loader handed over at TSC %lu", boot_entry_tsc);
	if (magic != MB2_BOOTLOADER_MAGIC)
		panic("not started by a Multiboot2 boot loader (magic 0x%x)", magic);
	if (parsed != 0)
		panic("bad Multiboot2 information: %s", err);
	if (problems)
		log_warn("command line: %s", warn);
	log_boot_info(&boot_info);

	pmm_init(&boot_info);
	paging_init();
	fbcon_init(&boot_info.fb);	/* the screen, now that it is mapped */

	bsp.id = 0;
	pcpu_init_tables(&bsp);
	fpu_cpu_init();
	cpu_model_init();	/* the guests' CPU: the model and this host */
	pcpus[0] = &bsp;
	pcpu_count = 1;
	legacy_pic_disable();
	tsc_calibrate();
	timer_init();
	lapic_init(yakvm_opts.x2apic);
	mce_cpu_init();
	bsp.apic_id = lapic_id();
	log_info("CPU 0 up: APIC ID %u (%s), TSC %lu kHz", bsp.apic_id,
		 lapic_x2apic() ? "x2APIC" : "xAPIC", tsc_khz());
	log_info("host memory: %lu MiB free of %lu MiB", pmm_free_bytes() >> 20,
		 pmm_total_bytes() >> 20);
	/* The host's disks: drivers for what PCI shows, then their GPTs
	 * (docs/storage.md). Reads only. */
	pci_scan();
	disks_scan();
	if (yakvm_opts.disk_selftest[0])
		disks_selftest(yakvm_opts.disk_selftest);
	/* The host's network cards (docs/hardware.md): found by the scan. */
	netdev_report();
	if (yakvm_opts.net_selftest[0])
		netdev_selftest(yakvm_opts.net_selftest);
	if (!yakvm_opts.idle_poll)
		log_info("idle_poll=off: idle CPUs halt; guests notify every frame they send");

	/* 3. SVM on this CPU, then on the others. */
	char why[512];
	if (!vendor_cpu_init(&bsp, why, sizeof(why))) {
		log_error("cannot start: %s", why);
		yakvm_idle();
		for (;;)
			cpu_halt();
	}
	vendor_log_features();
	spec_init();
	irq_register(VEC_TIMER, timer_irq);
	irq_register(VEC_RESCHED, sched_ipi);
	smp_start_aps(&boot_info, sched_loop);
	check_wx();
	log_info("%u CPU%s up", pcpu_count, pcpu_count == 1 ? "" : "s");
	if (vendor_cpu0_racy() && pcpu_count > 1)
		log_info("QEMU TCG: CPU 0 runs only the vCPUs pinned to it: TCG changes "
			 "CPU 0's nested-paging state from other CPUs without a lock "
			 "(docs/status.md, emulator quirks)");

	/* 4. The switch's uplink (the host's network card, uplink=), the VMs,
	 * and the console's input for them. The uplink is polled from a
	 * device timer of this CPU (net/uplink.c), now that its interrupt has
	 * a handler. */
	net_uplink_start(yakvm_opts.uplink);
	create_vms(&boot_info);
	console_input_start();

	/* 5. Run them. */
	irq_enable();
	sched_loop();
}
