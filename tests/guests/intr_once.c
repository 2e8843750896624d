/*
 * tests/guests/intr_once.c - every interrupt yakvm injects arrives once, and
 * never while IF=0. The guest sends itself count= fixed IPIs (vector 0x40)
 * one after the other; each handler runs long (spin= iterations) with IF=0,
 * as an interrupt gate leaves it, before its EOI. A second delivery of the
 * same injection (QEMU's TCG: docs/status.md, "Known emulator quirks")
 * would enter the handler again from inside itself: the saved EFLAGS then
 * has IF=0, and the handler count exceeds the IPIs sent. Under -icount the
 * long handlers make that window cover nearly all of the guest's time.
 */
#include "rt.h"
#include "hw.h"

#define TAG     "intr-once"
#define VECTOR  0x40
#define ICR_SELF (1u << 18)	/* destination shorthand 01 */

static uint32_t spin;
static volatile unsigned entries, with_if0, inside_again;
static volatile bool inside;

static void on_ipi(struct rt_frame *f)
{
	entries++;
	if (!(f->eflags & (1u << 9)))
		with_if0++;
	if (inside)
		inside_again++;
	inside = true;
	rt_delay(spin);		/* IF=0 all along */
	inside = false;
	lapic_write(LAPIC_EOI, 0);
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	const char *c = (info->flags & 4) ? (const char *)info->cmdline : "";
	unsigned count = (unsigned)rt_option(c, "count=", 400);
	spin = (uint32_t)rt_option(c, "spin=", 100000);
	rt_set_irq_handler(VECTOR, on_ipi);
	lapic_write(LAPIC_SVR, 0x1ff);	/* enabled, spurious 0xff */
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_ICR_HI, 0);
	sti();
	for (unsigned i = 1; i <= count; i++) {
		unsigned before = entries;
		lapic_write(LAPIC_ICR_LO, ICR_SELF | VECTOR);
		while (entries == before)
			__asm__ volatile("pause");
		if (i % 100 == 0)
			printf("%s: %u of %u IPIs handled\n", TAG, i, count);
	}
	cli();
	rt_check(TAG, entries == count, "each self-IPI was handled once",
		 "%u handler entries for %u IPIs", entries, count);
	rt_check(TAG, with_if0 == 0, "no interrupt came while IF=0",
		 "%u of them interrupted code with IF=0", with_if0);
	rt_check(TAG, inside_again == 0, "no handler was entered from inside itself",
		 "%u times", inside_again);
	printf("%s: %d failures\n", TAG, rt_failures);
	return rt_failures ? 1 : 0;
}
