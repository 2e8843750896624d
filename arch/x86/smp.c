/*
 * arch/x86/smp.c - start the application processors (see smp.h). The MADT
 * lists the CPUs; each is started with INIT, then two STARTUP IPIs (APM vol. 2,
 * 16.5; the waits are the ones Intel's MP specification gives: 10 ms after
 * INIT, 200 µs after each STARTUP), one at a time, and yakvm waits for it to
 * report in before starting the next.
 */
#include "arch/x86/smp.h"
#include "arch/x86/acpi.h"
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/pcpu.h"
#include "arch/x86/fpu.h"
#include "arch/x86/nmi.h"
#include "arch/x86/mce.h"
#include "arch/x86/tsc.h"
#include "arch/x86/vendor.h"
#include "lib/log.h"
#include "mm/pmm.h"
#include "mm/paging.h"
#include "lib/string.h"
#include "lib/format.h"

#define STACK_PAGES 4
#define AP_START_WAIT_US 10000000ull

extern char trampoline_start[], trampoline_end[];

struct trampoline_data {     /* page 1 of the trampoline (boot/trampoline.S) */
	uint8_t gdtr[8], far32[8], far64[8];
	uint64_t cr3, stack, arg, entry;
};

static volatile unsigned aps_up;
static void (*ap_loop)(void) __attribute__((noreturn));

static bool read_phys(uint64_t pa, void *dst, size_t len)
{
	if (pa + len < pa || pa + len > 0x100000000ull + pmm_top())
		return false;
	memcpy(dst, phys_to_virt(pa), len);
	return true;
}

/* A free, page-aligned pair of pages below 1 MiB, per the memory map. */
static uint64_t find_trampoline_pages(const struct boot_info *bi)
{
	for (uint64_t pa = 0x1000; pa + 0x2000 <= 0x9f000; pa += 0x1000) {
		for (unsigned i = 0; i < bi->mmap_count; i++) {
			const struct mem_range *r = &bi->mmap[i];
			if (r->type == MEM_USABLE && pa >= r->base &&
			    pa + 0x2000 <= r->base + r->len &&
			    !(pa < bi->info_end && bi->info_start < pa + 0x2000))
				return pa;
		}
	}
	return 0;
}

static void ap_main(struct pcpu *p) __attribute__((noreturn));
static void ap_main(struct pcpu *p)
{
	pcpu_init_tables(p);
	fpu_cpu_init();
	lapic_init(lapic_x2apic());	/* the same mode as the boot CPU */
	nmi_cpu_init(p->nmi_lint);
	mce_cpu_init();
	p->apic_id = lapic_id();
	char why[256];
	if (!vendor_cpu_init(p, why, sizeof(why))) {
		log_error("CPU %u (APIC ID %u): %s; it stays idle", p->id, p->apic_id, why);
		__atomic_fetch_add(&aps_up, 1, __ATOMIC_RELEASE);
		for (;;)
			cpu_halt();
	}
	pcpus[p->id] = p;
	__atomic_fetch_add(&aps_up, 1, __ATOMIC_RELEASE);
	irq_enable();
	ap_loop();
}

static bool wait_up(unsigned want, uint64_t us)
{
	uint64_t end = time_us() + us;
	while (__atomic_load_n(&aps_up, __ATOMIC_ACQUIRE) < want)
		if (time_us() > end)
			return false;
	return true;
}

unsigned smp_start_aps(const struct boot_info *bi, void (*loop)(void) __attribute__((noreturn)))
{
	ap_loop = loop;
	struct madt_cpus *cpus = phys_to_virt(pmm_alloc_pages(
		(sizeof(struct madt_cpus) + PAGE_SIZE - 1) / PAGE_SIZE));
	char why[160];
	if (!acpi_madt_cpus(bi->rsdp, bi->rsdp_len, read_phys, cpus, why, sizeof(why))) {
		log_warn("SMP: %s; running on the boot CPU only", why);
		nmi_cpu_init(ACPI_NO_NMI_LINT);
		return 1;
	}
	char ids[128] = "";
	size_t len = 0;
	for (unsigned i = 0; i < cpus->count && len + 12 < sizeof(ids); i++)
		len += (size_t)snprintf(ids + len, sizeof(ids) - len, "%s%u",
					i ? " " : "", cpus->apic_id[i]);
	log_info("ACPI MADT: %u CPU%s, APIC IDs %s%s", cpus->count,
		 cpus->count == 1 ? "" : "s", ids,
		 len + 12 >= sizeof(ids) ? " ..." : "");

	uint64_t tpa = find_trampoline_pages(bi);
	if (!tpa) {
		log_warn("SMP: no free memory below 1 MiB for the AP trampoline; "
			 "running on the boot CPU only");
		return 1;
	}
	size_t size = (size_t)(trampoline_end - trampoline_start);
	memcpy(phys_to_virt(tpa), trampoline_start, size);
	paging_make_exec(tpa);	/* the code page: R+X, no longer W */
	struct trampoline_data *td = phys_to_virt(tpa + 0x1000);

	unsigned started = 1;
	uint32_t self = pcpus[0]->apic_id;
	for (unsigned i = 0; i < cpus->count; i++)
		if (cpus->apic_id[i] == self)
			nmi_cpu_init(cpus->nmi_lint[i]);
	for (unsigned i = 0; i < cpus->count && started < MAX_CPUS; i++) {
		uint32_t id = cpus->apic_id[i];
		if (id == self)
			continue;
		if (id > 0xfe && !lapic_x2apic()) {
			log_warn("CPU with APIC ID %u needs x2APIC mode; skipped", id);
			continue;
		}
		uint64_t ppa = pmm_alloc_pages((sizeof(struct pcpu) + PAGE_SIZE - 1) / PAGE_SIZE);
		uint64_t stack = pmm_alloc_pages(STACK_PAGES + 1);
		if (!ppa || !stack) {
			log_warn("SMP: out of memory for CPU %u", started);
			break;
		}
		paging_unmap_page(stack);	/* the guard page */
		struct pcpu *p = phys_to_virt(ppa);
		p->id = started;
		p->apic_id = id;
		p->nmi_lint = cpus->nmi_lint[i];
		td->cr3 = read_cr3();
		td->stack = stack + (STACK_PAGES + 1) * PAGE_SIZE;
		td->arg = (uint64_t)p;
		td->entry = (uint64_t)ap_main;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);

		unsigned before = aps_up;
		lapic_send_init(id);
		pit_wait_us(10000);
		for (int k = 0; k < 2 && aps_up == before; k++) {
			lapic_send_sipi(id, (uint8_t)(tpa >> 12));
			pit_wait_us(200);
		}
		/* Linux waits 10 s for an AP's first sign of life; an emulator
		 * on a loaded host can take far longer than the MP
		 * specification's 200 ms. One that never reports in may still
		 * start later on this trampoline page, so no other CPU is given
		 * it (stacks and per-CPU data would be shared). */
		if (!wait_up(before + 1, AP_START_WAIT_US)) {
			log_warn("CPU with APIC ID %u did not start within %u s; "
				 "no further CPUs are started", id,
				 (unsigned)(AP_START_WAIT_US / 1000000));
			break;
		}
		if (pcpus[p->id] == p) {
			started++;
			log_info("CPU %u up: APIC ID %u", p->id, id);
		}
	}
	pcpu_count = started;
	return started;
}
