/* tests/unit/fake_platform.c - see fake_platform.h. */
#include <string.h>
#include "tests/unit/fake_platform.h"

struct fake_irq_event fake_irq_events[FAKE_MAX_EVENTS];
unsigned fake_irq_count;
int fake_irq_level[32];
unsigned fake_irq_pulses[32];
unsigned fake_irq_rises[32];
bool fake_legacy_replaced;
unsigned fake_intr_updates, fake_kicks;
struct vcpu *fake_current_vcpu;
uint64_t fake_now_ns;
uint64_t fake_tsc_khz = 1000000;
uint64_t fake_wallclock;
uint32_t fake_acked, fake_unmasked;
bool fake_auto_ack;

static struct vtimer *timers;
static struct irq_ack_notifier *notifiers[VM_ACK_NOTIFIERS];
static unsigned notifier_count;
static uint32_t auto_acks;	/* GSIs pulsed since the last timer fired */

void fake_platform_reset(void)
{
	fake_irq_count = 0;
	memset(fake_irq_level, 0, sizeof(fake_irq_level));
	memset(fake_irq_pulses, 0, sizeof(fake_irq_pulses));
	memset(fake_irq_rises, 0, sizeof(fake_irq_rises));
	fake_legacy_replaced = false;
	fake_intr_updates = fake_kicks = 0;
	fake_current_vcpu = NULL;
	fake_now_ns = 0;
	fake_tsc_khz = 1000000;
	fake_wallclock = 0;
	timers = NULL;
	fake_acked = fake_unmasked = 0;
	fake_auto_ack = true;
	notifier_count = 0;
	auto_acks = 0;
}

static void record(unsigned irq, int level)
{
	if (fake_irq_count < FAKE_MAX_EVENTS)
		fake_irq_events[fake_irq_count++] = (struct fake_irq_event){ irq, level, fake_now_ns };
	if (irq < 32 && level) {
		unsigned gsi = irq < 16 ? isa_irq_to_gsi(irq) : irq;
		auto_acks |= 1u << gsi;
	}
	if (irq < 32) {
		if (level == 2 || (level == 1 && !fake_irq_level[irq]))
			fake_irq_rises[irq]++;
		if (level == 2)
			fake_irq_pulses[irq]++;
		else
			fake_irq_level[irq] = level;
	}
}

void vm_irq_set(struct vm *vm, unsigned irq, bool high) { record(irq, high); }
void vm_irq_pulse(struct vm *vm, unsigned irq) { record(irq, 2); }
void vm_irq_set_replacing(struct vm *vm, unsigned irq, bool high) { record(irq, high); }
void vm_irq_legacy_replace(struct vm *vm, bool on) { fake_legacy_replaced = on; }
void vm_intr_update(struct vm *vm) { fake_intr_updates++; }
void vcpu_kick(struct vcpu *v) { fake_kicks++; }
struct vcpu *vcpu_current(void) { return fake_current_vcpu; }

uint64_t time_ns(void) { return fake_now_ns; }
uint64_t tsc_khz(void) { return fake_tsc_khz; }
uint64_t wallclock_boot_seconds(void) { return fake_wallclock; }

void vtimer_cancel(struct vtimer *t)
{
	for (struct vtimer **p = &timers; *p; p = &(*p)->next)
		if (*p == t) {
			*p = t->next;
			break;
		}
	t->armed = false;
	t->next = NULL;
}

void vtimer_freeze(struct vtimer *t)
{
	t->frozen = true;
	vtimer_cancel(t);
}

void vtimer_arm(struct vtimer *t, uint64_t deadline_ns)
{
	if (t->frozen)
		return;
	vtimer_cancel(t);
	t->deadline_ns = deadline_ns;
	t->armed = true;
	t->next = timers;
	timers = t;
}

unsigned fake_armed_timers(void)
{
	unsigned n = 0;
	for (struct vtimer *t = timers; t; t = t->next)
		n++;
	return n;
}

void fake_advance_to(uint64_t target)
{
	for (;;) {
		struct vtimer *first = NULL;
		for (struct vtimer *t = timers; t; t = t->next)
			if (!first || t->deadline_ns < first->deadline_ns)
				first = t;
		if (!first || first->deadline_ns > target)
			break;
		if (first->deadline_ns > fake_now_ns)
			fake_now_ns = first->deadline_ns;
		vtimer_cancel(first);
		if (first->fire_count)
			(*first->fire_count)++;
		first->fire(first);
		if (fake_auto_ack && auto_acks) {
			uint32_t acks = auto_acks;
			auto_acks = 0;
			fake_irq_notify(acks, 0);
		}
	}
	if (target > fake_now_ns)
		fake_now_ns = target;
}

void vm_irq_ack_notifier_add(struct vm *vm, struct irq_ack_notifier *n)
{
	if (notifier_count < VM_ACK_NOTIFIERS)
		notifiers[notifier_count++] = n;
}

void vm_irq_acked(struct vm *vm, unsigned gsi) { fake_acked |= 1u << gsi; }
void vm_irq_unmasked(struct vm *vm, unsigned gsi) { fake_unmasked |= 1u << gsi; }

void fake_irq_notify(uint32_t acked, uint32_t unmasked)
{
	for (unsigned i = 0; i < notifier_count; i++)
		notifiers[i]->notify(notifiers[i], acked, unmasked);
}

void fake_irq_ack(unsigned gsi) { fake_irq_notify(1u << gsi, 0); }
void fake_irq_unmask(unsigned gsi) { fake_irq_notify(0, 1u << gsi); }

void fake_irq_guest_side(struct device *d, uint16_t where, uint32_t val)
{
	if (where % 3 == 0)
		fake_auto_ack = val & 1;
	else if (where % 3 == 1)
		fake_irq_notify(val, 0);
	else
		fake_irq_notify(0, val);
}

void fake_advance(uint64_t delta) { fake_advance_to(fake_now_ns + delta); }
