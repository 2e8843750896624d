/*
 * devices/vlapic.c - the virtual local APIC of each vCPU, xAPIC mode (see
 * lapic.h). AMD APM vol. 2, 16.3-16.6; the Intel SDM vol. 3, chapter 10 for
 * details the APM leaves implicit (APR, ESR, TSC-deadline mode).
 *
 * Locking: each vlapic has its own spinlock. Calls that leave the LAPIC
 * (IPIs to other LAPICs, ioapic_eoi, vcpu_kick) are made after releasing it,
 * so the only lock order is IOAPIC -> LAPIC -> timer list.
 */
#include "devices/vlapic.h"
#include "devices/ioapic.h"
#include "devices/device.h"
#include "devices/irq.h"
#include "core/run/vcpu.h"
#include "core/vm/vm.h"
#include "core/run/lapic_window.h"
#include "core/run/timer.h"
#include "arch/x86/tsc.h"
#include "arch/x86/cpu.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/pmm.h"

/* Register offsets (APM table 16-2). */
enum {
	REG_ID = 0x20, REG_VERSION = 0x30, REG_TPR = 0x80, REG_APR = 0x90,
	REG_PPR = 0xa0, REG_EOI = 0xb0, REG_RRD = 0xc0, REG_LDR = 0xd0,
	REG_DFR = 0xe0, REG_SVR = 0xf0, REG_ISR = 0x100, REG_TMR = 0x180,
	REG_IRR = 0x200, REG_ESR = 0x280, REG_LVT_CMCI = 0x2f0,
	REG_ICR_LO = 0x300, REG_ICR_HI = 0x310, REG_LVT_TIMER = 0x320,
	REG_LVT_THERMAL = 0x330, REG_LVT_PERF = 0x340, REG_LVT_LINT0 = 0x350,
	REG_LVT_LINT1 = 0x360, REG_LVT_ERROR = 0x370, REG_TIMER_INIT = 0x380,
	REG_TIMER_CUR = 0x390, REG_TIMER_DIV = 0x3e0,
};

/* The LVT entries, in lvt[] order, and the bits the guest may write in each
 * (SDM figure 10-8: delivery status and remote IRR are read-only). */
enum { LVT_CMCI, LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_COUNT };
static const uint32_t lvt_writable[LVT_COUNT] = {
	[LVT_CMCI] = 0x107ff, [LVT_TIMER] = 0x700ff, [LVT_THERMAL] = 0x107ff,
	[LVT_PERF] = 0x107ff, [LVT_LINT0] = 0x1a7ff, [LVT_LINT1] = 0x1a7ff,
	[LVT_ERROR] = 0x100ff,
};
#define LVT_MASKED        (1u << 16)
#define LVT_VECTOR(x)     ((x) & 0xff)
#define LVT_MODE(x)       (((x) >> 8) & 7)
#define LVT_TIMER_MODE(x) (((x) >> 17) & 3)
enum { TIMER_ONESHOT = 0, TIMER_PERIODIC = 1, TIMER_TSC_DEADLINE = 2 };

#define LAPIC_VERSION  0x00050014u  /* version 0x14, max LVT entry 5 */
#define SVR_ENABLE     (1u << 8)
#define SVR_WRITABLE   0x3ffu       /* vector, enable, focus-check disable */
#define ESR_SEND_ILLEGAL_VECTOR (1u << 5)
#define ESR_RECV_ILLEGAL_VECTOR (1u << 6)
#define ICR_LO_WRITABLE 0x000ccfffu /* vector..dest mode, level, trigger, shorthand */
#define ICR_LOGICAL    (1u << 11)
#define ICR_ASSERT     (1u << 14)
#define ICR_LEVEL_TRIG (1u << 15)
enum { SH_NONE, SH_SELF, SH_ALL, SH_OTHERS };

#define APIC_BASE_GLOBAL_ENABLE (1ull << 11)
#define TIMER_MIN_PERIOD_NS 100000  /* see lapic.h */

struct vlapic {
	struct spinlock lock;
	struct vcpu *vcpu;
	uint32_t irr[8], isr[8], tmr[8];
	/* TPR[7:4] is V_TPR; TPR[3:0] is kept here, and only counts while
	 * V_TPR still holds the value it was written with (a MOV CR8 clears
	 * TPR[3:0] without an exit). */
	uint8_t tpr_low, tpr_low_with;
	uint32_t ldr, dfr, svr;
	uint32_t esr, esr_pending;      /* read value; errors since last write */
	uint32_t icr_lo, icr_hi;
	uint32_t lvt[LVT_COUNT];
	uint32_t timer_initial, timer_dcr;
	uint64_t tsc_deadline;

	/* One-shot/periodic: counting from timer_start_count at timer_start_ns. */
	bool timer_running;
	uint32_t timer_start_count;
	uint64_t timer_start_ns, timer_deadline_ns;
	struct vtimer timer;

	/* Latched messages for the vCPU loop. */
	bool nmi, init, extint;
	int sipi;                       /* vector, or -1 */
	bool wait_sipi;                 /* the vCPU is in wait-for-SIPI */
	bool want_kick;                 /* kick the vCPU once the lock is dropped */

	/* KVM's paravirtual EOI (see lapic.h): the guest's flag byte, the
	 * MSR's value, whether yakvm set the flag for this guest run. */
	uint8_t *pv_eoi_flag;
	uint64_t pv_eoi_msr;
	bool pv_eoi_armed;
	uint64_t pv_eois;               /* EOIs taken from the flag (stats) */
	/* EOI register writes (each an exit): of the timer's vector, others. */
	uint64_t eoi_writes[2];
};
_Static_assert(sizeof(struct vlapic) <= PAGE_SIZE, "vlapic_create allocates one page");

/* The guest's TSC: the host TSC plus the VMCB's TSC_OFFSET (APM 15.30.5).
 * Host unit tests provide their own, and their own lock (user mode can't
 * run spin_lock's cli). */
uint64_t vlapic_guest_tsc(struct vcpu *v);
#ifdef YAKVM_HOST_TEST
uint64_t vlapic_test_lock(struct vlapic *l);
void vlapic_test_unlock(struct vlapic *l, uint64_t flags);
static inline uint64_t lock(struct vlapic *l) { return vlapic_test_lock(l); }
static inline void unlock_raw(struct vlapic *l, uint64_t f) { vlapic_test_unlock(l, f); }
#else
uint64_t vlapic_guest_tsc(struct vcpu *v) { return rdtsc() + vendor_tsc_offset(v); }
static inline uint64_t lock(struct vlapic *l) { return spin_lock(&l->lock); }
static inline void unlock_raw(struct vlapic *l, uint64_t f) { spin_unlock(&l->lock, f); }
#endif

/* Releases the lock, then kicks the vCPU if something was accepted. */
static void unlock(struct vlapic *l, uint64_t f)
{
	bool kick = l->want_kick;
	l->want_kick = false;
	unlock_raw(l, f);
	if (kick)
		vcpu_kick(l->vcpu);
}

/* ---- the 256-bit IRR/ISR/TMR --------------------------------------------- */

static bool bit_test(const uint32_t r[8], uint8_t v) { return r[v / 32] & (1u << (v % 32)); }
static void bit_set(uint32_t r[8], uint8_t v) { r[v / 32] |= 1u << (v % 32); }
static void bit_clear(uint32_t r[8], uint8_t v) { r[v / 32] &= ~(1u << (v % 32)); }

static int highest_bit(const uint32_t r[8])
{
	for (int i = 7; i >= 0; i--)
		if (r[i])
			return i * 32 + 31 - __builtin_clz(r[i]);
	return -1;
}

/* ---- priorities (APM 16.6.3-16.6.4, SDM 10.8.3) --------------------------- */

static uint8_t get_tpr(struct vlapic *l)
{
	uint8_t hi = *l->vcpu->cr8_word & 0xf;	/* what MOV CR8 wrote */
	return (uint8_t)(hi << 4 | (hi == l->tpr_low_with ? l->tpr_low : 0));
}

static void set_tpr(struct vlapic *l, uint8_t tpr)
{
	uint64_t *w = l->vcpu->cr8_word;
	*w = (*w & ~0xffull) | (tpr >> 4);
	l->tpr_low = tpr & 0xf;
	l->tpr_low_with = tpr >> 4;
}

/* PPR = TPR if TPR[7:4] >= ISRV[7:4], else ISRV[7:4] << 4. */
static uint8_t get_ppr(struct vlapic *l)
{
	uint8_t tpr = get_tpr(l);
	int isrv = highest_bit(l->isr);
	uint8_t isr_class = isrv < 0 ? 0 : (uint8_t)(isrv & 0xf0);
	return (tpr & 0xf0) >= isr_class ? tpr : isr_class;
}

/* APR (SDM 10.8.3.1): TPR if its class is >= the IRR's and > the ISR's,
 * otherwise the highest of the three classes. */
static uint8_t get_apr(struct vlapic *l)
{
	uint8_t tpr = get_tpr(l);
	int irrv = highest_bit(l->irr), isrv = highest_bit(l->isr);
	uint8_t irr_c = irrv < 0 ? 0 : (uint8_t)(irrv & 0xf0);
	uint8_t isr_c = isrv < 0 ? 0 : (uint8_t)(isrv & 0xf0);
	if ((tpr & 0xf0) >= irr_c && (tpr & 0xf0) > isr_c)
		return tpr;
	uint8_t m = tpr & 0xf0;
	if (irr_c > m)
		m = irr_c;
	if (isr_c > m)
		m = isr_c;
	return m;
}

static int pending_vector(struct vlapic *l)
{
	int irrv = highest_bit(l->irr);
	if (irrv < 0 || (irrv >> 4) <= (get_ppr(l) >> 4))
		return -1;
	return irrv;
}

/* ---- accepting messages (APM 16.6) ----------------------------------------- */

static bool sw_enabled(struct vlapic *l) { return l->svr & SVR_ENABLE; }

static void accept_locked(struct vlapic *l, unsigned mode, uint8_t vector, bool level);

/* An error (SDM 10.5.3): noted for the next ESR write, and signalled through
 * LVT Error unless it is masked or its vector is itself illegal. */
static void error(struct vlapic *l, uint32_t bit)
{
	l->esr_pending |= bit;
	uint32_t lvt = l->lvt[LVT_ERROR];
	if (!(lvt & LVT_MASKED) && LVT_VECTOR(lvt) >= 16)
		accept_locked(l, APIC_DM_FIXED, LVT_VECTOR(lvt), false);
}

static void accept_locked(struct vlapic *l, unsigned mode, uint8_t vector, bool level)
{
	if (!(l->vcpu->apic_base & APIC_BASE_GLOBAL_ENABLE))
		return;	/* globally disabled: no APIC to take it (SDM 10.4.3) */
	switch (mode) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		if (!sw_enabled(l))
			return;	/* a software-disabled LAPIC takes no interrupts */
		if (vector < 16) {
			error(l, ESR_RECV_ILLEGAL_VECTOR);
			return;
		}
		bit_set(l->irr, vector);
		if (level)
			bit_set(l->tmr, vector);
		else
			bit_clear(l->tmr, vector);
		break;
	case APIC_DM_NMI:
		if (l->wait_sipi)
			return;	/* nothing runs to take it (see lapic.h) */
		l->nmi = true;
		break;
	case APIC_DM_INIT:
		l->init = true;
		l->sipi = -1;	/* a SIPI before the INIT is void */
		break;
	case APIC_DM_STARTUP:
		if (!l->init && !l->wait_sipi)
			return;	/* not after an INIT: ignored (SDM vol. 3, 8.4) */
		l->sipi = vector;
		break;
	case APIC_DM_EXTINT:
		l->extint = true;
		break;
	default:
		return;	/* SMI and the reserved mode 3: not modelled, dropped */
	}
	l->want_kick = true;
}

void vlapic_accept(struct vlapic *l, unsigned mode, uint8_t vector, bool level)
{
	uint64_t f = lock(l);
	accept_locked(l, mode, vector, level);
	unlock(l, f);
}

/* ---- destinations (APM 16.6.1-16.6.2) -------------------------------------- */

static bool matches(struct vlapic *l, uint8_t dest, bool logical)
{
	if (!logical)
		return dest == 0xff || dest == l->vcpu->id;
	uint8_t ldr = l->ldr >> 24;
	if ((l->dfr >> 28) == 0xf)	/* flat: one bit per LAPIC */
		return (ldr & dest) != 0;
	/* cluster: dest[7:4] names the cluster, dest[3:0] its members */
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf) != 0;
}

/* Sends to every LAPIC the destination or shorthand selects. Lowest
 * priority goes to the lowest-numbered vCPU that matches (allowed: the
 * choice among equal priorities is model-specific, and it avoids reading
 * every target's APR). Called with no LAPIC lock held. */
static void send(struct vm *vm, struct vlapic *self, unsigned shorthand, uint8_t dest,
		 bool logical, unsigned mode, uint8_t vector, bool level)
{
	unsigned n = vm->nvcpus < VM_VCPUS_MAX ? vm->nvcpus : VM_VCPUS_MAX;
	for (unsigned i = 0; i < n; i++) {
		struct vlapic *t = vm->vcpus[i] ? vm->vcpus[i]->lapic : NULL;
		if (!t)
			continue;
		uint64_t f = lock(t);
		bool hit;
		switch (shorthand) {
		case SH_SELF: hit = t == self; break;
		case SH_ALL: hit = true; break;
		case SH_OTHERS: hit = t != self; break;
		default: hit = matches(t, dest, logical); break;
		}
		if (hit)
			accept_locked(t, mode, vector, level);
		unlock(t, f);
		if (hit && mode == APIC_DM_LOWEST)
			return;
	}
}

void vlapic_deliver(struct vm *vm, uint32_t dest, bool logical, unsigned mode,
		    uint8_t vector, bool level)
{
	send(vm, NULL, SH_NONE, (uint8_t)dest, logical, mode, vector, level);
}

/* ---- the timer (APM 16.4.1, SDM 10.5.4) ------------------------------------ */

/* Divide configuration bits 3,1:0: 000 = /2 ... 110 = /128, 111 = /1. */
static unsigned timer_shift(uint32_t dcr)
{
	unsigned v = ((dcr >> 1) & 4) | (dcr & 3);
	return v == 7 ? 0 : v + 1;
}

static unsigned timer_mode(struct vlapic *l) { return LVT_TIMER_MODE(l->lvt[LVT_TIMER]); }

static uint64_t ticks_to_ns(struct vlapic *l, uint64_t ticks, bool periodic)
{
	uint64_t ns = ticks << timer_shift(l->timer_dcr);	/* < 2^39 */
	return periodic && ns < TIMER_MIN_PERIOD_NS ? TIMER_MIN_PERIOD_NS : ns;
}

static void timer_stop(struct vlapic *l)
{
	l->timer_running = false;
	vtimer_cancel(&l->timer);
}

/* Counts down from `count` starting now (one-shot and periodic modes). */
static void timer_start(struct vlapic *l, uint32_t count)
{
	if (!count) {
		timer_stop(l);
		return;
	}
	l->timer_running = true;
	l->timer_start_ns = time_ns();
	l->timer_start_count = count;
	l->timer_deadline_ns = l->timer_start_ns +
		ticks_to_ns(l, count, timer_mode(l) == TIMER_PERIODIC);
	vtimer_arm(&l->timer, l->timer_deadline_ns);
}

static uint32_t timer_current(struct vlapic *l)
{
	if (!l->timer_running || timer_mode(l) == TIMER_TSC_DEADLINE)
		return 0;
	uint64_t ticks = (time_ns() - l->timer_start_ns) >> timer_shift(l->timer_dcr);
	if (ticks < l->timer_start_count)
		return (uint32_t)(l->timer_start_count - ticks);
	if (timer_mode(l) != TIMER_PERIODIC || !l->timer_initial)
		return 0;
	return l->timer_initial - (uint32_t)((ticks - l->timer_start_count) % l->timer_initial);
}

/* Guest TSC ticks to ns, rounded up; far-future deadlines are capped. */
static uint64_t tsc_to_ns(uint64_t delta)
{
	uint64_t khz = tsc_khz() ? tsc_khz() : 1;
	uint64_t q = delta / khz, r = delta % khz;
	if (q >= (1ull << 62) / 1000000)
		return 1ull << 62;
	return q * 1000000 + (r * 1000000 + khz - 1) / khz;
}

static void tsc_deadline_arm(struct vlapic *l)
{
	uint64_t now = time_ns(), tsc = vlapic_guest_tsc(l->vcpu);
	l->timer_deadline_ns = now + (l->tsc_deadline > tsc ? tsc_to_ns(l->tsc_deadline - tsc) : 0);
	vtimer_arm(&l->timer, l->timer_deadline_ns);
}

static void timer_expired(struct vlapic *l)
{
	uint32_t lvt = l->lvt[LVT_TIMER];
	if (!(lvt & LVT_MASKED))
		accept_locked(l, APIC_DM_FIXED, LVT_VECTOR(lvt), false);
}

/* The vtimer fired (no lock held). It may be stale: the guest may have
 * re-programmed the timer since it was taken off the timer list. */
static void timer_fire(struct vtimer *t)
{
	struct vlapic *l = t->data;
	uint64_t f = lock(l);
	uint64_t now = time_ns();
	if (timer_mode(l) == TIMER_TSC_DEADLINE) {
		if (!l->tsc_deadline)
			;	/* disarmed */
		else if (vlapic_guest_tsc(l->vcpu) < l->tsc_deadline)
			tsc_deadline_arm(l);	/* early (the TSC offset moved) */
		else {
			l->tsc_deadline = 0;	/* fires once, then reads 0 */
			timer_expired(l);
		}
	} else if (l->timer_running) {
		if (now < l->timer_deadline_ns) {
			vtimer_arm(&l->timer, l->timer_deadline_ns);
		} else if (timer_mode(l) == TIMER_PERIODIC && l->timer_initial) {
			timer_expired(l);
			/* Next period from this deadline; if the host fell more
			 * than a period behind, restart from now (missed periods
			 * coalesce into this one interrupt). */
			uint64_t period = ticks_to_ns(l, l->timer_initial, true);
			l->timer_start_ns = l->timer_deadline_ns;
			if (l->timer_start_ns + period <= now)
				l->timer_start_ns = now;
			l->timer_start_count = l->timer_initial;
			l->timer_deadline_ns = l->timer_start_ns + period;
			vtimer_arm(&l->timer, l->timer_deadline_ns);
		} else {
			timer_expired(l);
			l->timer_running = false;
		}
	}
	unlock(l, f);
}

uint64_t vlapic_tsc_deadline(struct vlapic *l)
{
	uint64_t f = lock(l);
	uint64_t v = timer_mode(l) == TIMER_TSC_DEADLINE ? l->tsc_deadline : 0;
	unlock(l, f);
	return v;
}

/* SDM 10.5.4.1: outside TSC-deadline mode the MSR ignores writes. */
void vlapic_set_tsc_deadline(struct vlapic *l, uint64_t tsc)
{
	uint64_t f = lock(l);
	if (timer_mode(l) == TIMER_TSC_DEADLINE) {
		l->tsc_deadline = tsc;
		if (tsc)
			tsc_deadline_arm(l);
		else
			vtimer_cancel(&l->timer);
	}
	unlock(l, f);
}

/* ---- registers --------------------------------------------------------------- */

static int lvt_index(uint32_t offset)
{
	if (offset == REG_LVT_CMCI)
		return LVT_CMCI;
	if (offset >= REG_LVT_TIMER && offset <= REG_LVT_ERROR)
		return LVT_TIMER + (int)((offset - REG_LVT_TIMER) >> 4);
	return -1;
}

static uint32_t read_locked(struct vlapic *l, uint32_t offset)
{
	if (offset & 0xf)
		return 0;
	if (offset >= REG_ISR && offset < REG_ISR + 0x80)
		return l->isr[(offset - REG_ISR) >> 4];
	if (offset >= REG_TMR && offset < REG_TMR + 0x80)
		return l->tmr[(offset - REG_TMR) >> 4];
	if (offset >= REG_IRR && offset < REG_IRR + 0x80)
		return l->irr[(offset - REG_IRR) >> 4];
	int lvt = lvt_index(offset);
	if (lvt >= 0)
		return l->lvt[lvt];
	switch (offset) {
	case REG_ID: return l->vcpu->id << 24;
	case REG_VERSION: return LAPIC_VERSION;
	case REG_TPR: return get_tpr(l);
	case REG_APR: return get_apr(l);
	case REG_PPR: return get_ppr(l);
	case REG_LDR: return l->ldr;
	case REG_DFR: return l->dfr;
	case REG_SVR: return l->svr;
	case REG_ESR: return l->esr;
	case REG_ICR_LO: return l->icr_lo;	/* delivery status 0: sends are synchronous */
	case REG_ICR_HI: return l->icr_hi;
	case REG_TIMER_INIT: return l->timer_initial;
	case REG_TIMER_CUR: return timer_current(l);
	case REG_TIMER_DIV: return l->timer_dcr;
	default: return 0;	/* EOI and RRD read 0, as do unimplemented offsets */
	}
}

uint32_t vlapic_read(struct vlapic *l, uint32_t offset)
{
	uint64_t f = lock(l);
	uint32_t v = read_locked(l, offset);
	unlock(l, f);
	return v;
}

static void write_lvt(struct vlapic *l, int i, uint32_t val)
{
	val &= lvt_writable[i];
	if (!sw_enabled(l))
		val |= LVT_MASKED;	/* SDM 10.4.7.2: can't unmask while disabled */
	if (i == LVT_LINT0 || i == LVT_LINT1)
		val |= l->lvt[i] & (1u << 14);	/* remote IRR is read-only */
	uint32_t old = l->lvt[i];
	l->lvt[i] = val;
	if (i != LVT_TIMER)
		return;
	/* Entering or leaving TSC-deadline mode disarms the timer (SDM 10.5.4.1). */
	if ((LVT_TIMER_MODE(old) == TIMER_TSC_DEADLINE) != (LVT_TIMER_MODE(val) == TIMER_TSC_DEADLINE)) {
		timer_stop(l);
		l->timer_initial = 0;
		l->tsc_deadline = 0;
	}
}

/* What a write asks to do once the lock is dropped. */
struct after_write {
	bool ipi;
	uint32_t icr_lo, icr_hi;
	int eoi_vector;                 /* vector to EOI at the IOAPIC, or -1 */
};

/* An edge vector whose EOI the IOAPIC wants (acknowledge notifiers,
 * devices/irq.h). */
static bool ioapic_edge_vector(const struct vlapic *l, uint8_t v)
{
	const struct vm *vm = l->vcpu ? l->vcpu->vm : NULL;
	return vm && (__atomic_load_n(&vm->ioapic_edge_vectors[v / 64], __ATOMIC_RELAXED) >>
		      (v % 64) & 1);
}

/* EOI (SDM 10.8.5): the highest vector in service is done. */
static void eoi_locked(struct vlapic *l, struct after_write *a)
{
	int v = highest_bit(l->isr);
	if (v < 0)
		return;
	bit_clear(l->isr, (uint8_t)v);
	if (bit_test(l->tmr, (uint8_t)v) || ioapic_edge_vector(l, (uint8_t)v))
		a->eoi_vector = v;
	if (pending_vector(l) >= 0)
		l->want_kick = true;
}

static void write_locked(struct vlapic *l, uint32_t offset, uint32_t val, struct after_write *a)
{
	if (offset & 0xf)
		return;
	int lvt = lvt_index(offset);
	if (lvt >= 0) {
		write_lvt(l, lvt, val);
		return;
	}
	switch (offset) {
	case REG_TPR:
		set_tpr(l, (uint8_t)val);
		if (pending_vector(l) >= 0)
			l->want_kick = true;
		break;
	case REG_EOI: {
		int v = highest_bit(l->isr);
		if (v >= 0)
			l->eoi_writes[v != (int)LVT_VECTOR(l->lvt[LVT_TIMER])]++;
		eoi_locked(l, a);
		break;
	}
	case REG_LDR:
		l->ldr = val & 0xff000000u;
		break;
	case REG_DFR:
		l->dfr = (val & 0xf0000000u) | 0x0fffffffu;
		break;
	case REG_SVR:
		l->svr = val & SVR_WRITABLE;
		if (!sw_enabled(l))
			for (int i = 0; i < LVT_COUNT; i++)
				l->lvt[i] |= LVT_MASKED;
		break;
	case REG_ESR:	/* a write latches the errors seen since the last one */
		l->esr = l->esr_pending;
		l->esr_pending = 0;
		break;
	case REG_ICR_HI:
		l->icr_hi = val & 0xff000000u;
		break;
	case REG_ICR_LO: {
		l->icr_lo = val & ICR_LO_WRITABLE;
		unsigned mode = LVT_MODE(val);
		if ((mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST) && LVT_VECTOR(val) < 16) {
			error(l, ESR_SEND_ILLEGAL_VECTOR);	/* and not sent */
			break;
		}
		a->ipi = true;
		a->icr_lo = l->icr_lo;
		a->icr_hi = l->icr_hi;
		break;
	}
	case REG_TIMER_INIT:
		if (timer_mode(l) == TIMER_TSC_DEADLINE)
			break;	/* ignored in TSC-deadline mode (SDM 10.5.4.1) */
		l->timer_initial = val;
		timer_start(l, val);
		break;
	case REG_TIMER_DIV: {
		uint32_t now_count = timer_current(l);
		l->timer_dcr = val & 0xb;
		if (l->timer_running && timer_mode(l) != TIMER_TSC_DEADLINE)
			timer_start(l, now_count);	/* go on from here at the new rate */
		break;
	}
	default:
		break;	/* read-only or unimplemented: ignored, no ESR bit */
	}
}

/* The ICR's message (APM 16.5): shorthand, destination, mode, vector. */
static void send_ipi(struct vlapic *l, uint32_t lo, uint32_t hi)
{
	unsigned mode = LVT_MODE(lo);
	if (mode == APIC_DM_INIT && (lo & ICR_LEVEL_TRIG) && !(lo & ICR_ASSERT))
		return;	/* INIT level de-assert: only syncs arbitration IDs */
	if (mode == APIC_DM_EXTINT)
		return;	/* not a valid IPI mode */
	send(l->vcpu->vm, l, (lo >> 18) & 3, (uint8_t)(hi >> 24), lo & ICR_LOGICAL,
	     mode, LVT_VECTOR(lo), false);
}

void vlapic_write(struct vlapic *l, uint32_t offset, uint32_t val)
{
	struct after_write a = { .eoi_vector = -1 };
	uint64_t f = lock(l);
	write_locked(l, offset, val, &a);
	unlock(l, f);
	if (a.ipi)
		send_ipi(l, a.icr_lo, a.icr_hi);
	struct vm *vm = l->vcpu->vm;
	if (a.eoi_vector >= 0 && vm && vm->ioapic)
		ioapic_eoi(vm->ioapic, (uint8_t)a.eoi_vector);
}

/* ---- the vCPU loop's side ------------------------------------------------------ */

int vlapic_pending_vector(struct vlapic *l)
{
	uint64_t f = lock(l);
	int v = pending_vector(l);
	unlock(l, f);
	return v;
}

int vlapic_tpr_blocked_vector(struct vlapic *l)
{
	uint64_t f = lock(l);
	int irrv = highest_bit(l->irr), isrv = highest_bit(l->isr);
	int v = irrv >= 0 && (isrv < 0 || (irrv >> 4) > (isrv >> 4)) &&
		pending_vector(l) < 0 ? irrv : -1;
	unlock(l, f);
	return v;
}

void vlapic_ack(struct vlapic *l, uint8_t vector)
{
	uint64_t f = lock(l);
	if (bit_test(l->irr, vector)) {
		bit_clear(l->irr, vector);
		bit_set(l->isr, vector);
	}
	unlock(l, f);
}

bool vlapic_accepts_pic(struct vlapic *l)
{
	uint64_t f = lock(l);
	uint32_t lint0 = l->lvt[LVT_LINT0];
	bool yes = !(l->vcpu->apic_base & APIC_BASE_GLOBAL_ENABLE) || !sw_enabled(l) ||
		   (!(lint0 & LVT_MASKED) && LVT_MODE(lint0) == APIC_DM_EXTINT);
	unlock(l, f);
	return yes;
}

static bool take(struct vlapic *l, bool *flag)
{
	uint64_t f = lock(l);
	bool was = *flag;
	*flag = false;
	unlock(l, f);
	return was;
}

bool vlapic_has_nmi(struct vlapic *l) { return __atomic_load_n(&l->nmi, __ATOMIC_ACQUIRE); }
bool vlapic_take_nmi(struct vlapic *l) { return take(l, &l->nmi); }
/* INIT resets the CPU (APM vol. 2, 14.1): a latched NMI or ExtINT goes
 * with it, and the CPU waits for a SIPI. */
bool vlapic_take_init(struct vlapic *l)
{
	uint64_t f = lock(l);
	bool was = l->init;
	if (was) {
		l->init = l->nmi = l->extint = false;
		l->wait_sipi = true;
	}
	unlock(l, f);
	return was;
}

void vlapic_set_wait_sipi(struct vlapic *l, bool waiting)
{
	uint64_t f = lock(l);
	l->wait_sipi = waiting;
	l->sipi = -1;
	unlock(l, f);
}
bool vlapic_take_extint(struct vlapic *l) { return take(l, &l->extint); }

int vlapic_take_sipi(struct vlapic *l)
{
	uint64_t f = lock(l);
	int v = l->sipi;
	l->sipi = -1;
	if (v >= 0)
		l->wait_sipi = false;	/* started: later SIPIs are ignored */
	unlock(l, f);
	return v;
}

uint8_t vlapic_tpr(struct vlapic *l)
{
	uint64_t f = lock(l);
	uint8_t t = get_tpr(l);
	unlock(l, f);
	return t;
}

void vlapic_set_tpr(struct vlapic *l, uint8_t tpr)
{
	uint64_t f = lock(l);
	set_tpr(l, tpr);
	if (pending_vector(l) >= 0)
		l->want_kick = true;
	unlock(l, f);
}

/* ---- KVM's paravirtual EOI ------------------------------------------------------ */

void vlapic_set_pv_eoi(struct vlapic *l, uint64_t msr, uint8_t *flag)
{
	uint64_t f = lock(l);
	l->pv_eoi_msr = msr;
	l->pv_eoi_flag = flag;
	l->pv_eoi_armed = false;
	unlock(l, f);
}

uint64_t vlapic_pv_eoi_msr(struct vlapic *l) { return l->pv_eoi_msr; }
uint64_t vlapic_pv_eois(struct vlapic *l) { return l->pv_eois; }
uint64_t vlapic_eoi_writes(struct vlapic *l, bool timer) { return l->eoi_writes[!timer]; }

static bool only_bit(const uint32_t r[8], uint8_t v)
{
	for (int i = 0; i < 8; i++)
		if (r[i] != (i == v / 32 ? 1u << (v % 32) : 0))
			return false;
	return true;
}

/* The flag may stand for an EOI only when that EOI needs nothing but ISR's
 * one bit cleared: one vector in service, none requested (the EOI would
 * have to deliver it), and neither level-triggered nor wanted by the IOAPIC
 * (both need ioapic_eoi). KVM's rule (apic_sync_pv_eoi_to_guest). */
void vlapic_pv_eoi_arm(struct vlapic *l)
{
	if (!l->pv_eoi_flag || l->pv_eoi_armed)
		return;
	uint64_t f = lock(l);
	int v = highest_bit(l->isr);
	if (l->pv_eoi_flag && v >= 0 && highest_bit(l->irr) < 0 && only_bit(l->isr, (uint8_t)v) &&
	    !bit_test(l->tmr, (uint8_t)v) && !ioapic_edge_vector(l, (uint8_t)v)) {
		__atomic_fetch_or(l->pv_eoi_flag, 1, __ATOMIC_SEQ_CST);
		l->pv_eoi_armed = true;
	}
	unlock(l, f);
}

/* The flag is taken back at every exit (an atomic and, though only this
 * vCPU should write it): cleared by the guest, it was the EOI. */
void vlapic_pv_eoi_collect(struct vlapic *l)
{
	if (!l->pv_eoi_armed)
		return;
	struct after_write a = { .eoi_vector = -1 };
	uint64_t f = lock(l);
	l->pv_eoi_armed = false;
	if (l->pv_eoi_flag && !(__atomic_fetch_and(l->pv_eoi_flag, (uint8_t)~1u,
						   __ATOMIC_SEQ_CST) & 1)) {
		eoi_locked(l, &a);
		l->pv_eois++;
	}
	unlock(l, f);
	struct vm *vm = l->vcpu->vm;	/* not armed for such a vector: a safeguard */
	if (a.eoi_vector >= 0 && vm && vm->ioapic)
		ioapic_eoi(vm->ioapic, (uint8_t)a.eoi_vector);
}

/* ---- life cycle ------------------------------------------------------------------ */

/* The power-on state (APM 16.3.2 / SDM 10.4.7.1). */
void vlapic_reset(struct vlapic *l)
{
	uint64_t f = lock(l);
	timer_stop(l);
	memset(l->irr, 0, sizeof(l->irr));
	memset(l->isr, 0, sizeof(l->isr));
	memset(l->tmr, 0, sizeof(l->tmr));
	set_tpr(l, 0);
	l->ldr = 0;
	l->dfr = 0xffffffffu;
	l->svr = 0xff;
	l->esr = l->esr_pending = 0;
	l->icr_lo = l->icr_hi = 0;
	for (int i = 0; i < LVT_COUNT; i++)
		l->lvt[i] = LVT_MASKED;
	l->timer_initial = l->timer_dcr = 0;
	l->tsc_deadline = 0;
	l->nmi = l->init = l->extint = false;
	l->sipi = -1;
	l->want_kick = false;
	l->pv_eoi_flag = NULL;
	l->pv_eoi_msr = 0;
	l->pv_eoi_armed = false;
	unlock(l, f);
}

struct vlapic *vlapic_create(struct vcpu *v)
{
	uint64_t pa = pmm_alloc_pages(1);
	if (!pa)
		return NULL;
	struct vlapic *l = phys_to_virt(pa);	/* zeroed: the lock is free */
	l->vcpu = v;
	l->timer.fire = timer_fire;
	l->timer.data = l;
	l->timer.fire_count = &v->vm->timer_fires;
	vlapic_reset(l);
	return l;
}

void vlapic_stop(struct vlapic *l)
{
	uint64_t f = lock(l);
	vtimer_freeze(&l->timer);
	unlock(l, f);
}

/* ---- MMIO at the accessing vCPU's LAPIC page ---------------------------------------- */

/* Reads of any size take the bytes of the registers they cover (bytes 4-15
 * of each 16-byte slot read 0); only aligned 32-bit writes reach a
 * register, other writes are ignored. The row sits at 0xfee00000; a vCPU
 * whose LAPIC has moved away from there finds nothing at that page: reads
 * all ones, writes ignored (core/run/lapic_window.h). */
static uint64_t mmio_read(struct device *d, uint64_t gpa, unsigned size)
{
	struct vcpu *v = vcpu_current();
	if (!v || !v->lapic)
		return 0;
	if (!lapic_window_claims(v, gpa))
		return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
	struct vlapic *l = v->lapic;
	uint32_t off = gpa & 0xfff;
	uint64_t val = 0;
	uint64_t f = lock(l);
	if (size == 4 && !(off & 0xf)) {	/* the architected access */
		val = read_locked(l, off);
		unlock(l, f);
		return val;
	}
	for (unsigned i = 0; i < size && i < 8 && off + i < 0x1000; i++) {
		uint32_t b = off + i;
		if ((b & 0xf) < 4)
			val |= (uint64_t)((read_locked(l, b & 0xff0) >> (8 * (b & 3))) & 0xff) << (8 * i);
	}
	unlock(l, f);
	return val;
}

static void mmio_write(struct device *d, uint64_t gpa, unsigned size, uint64_t val)
{
	struct vcpu *v = vcpu_current();
	if (!v || !v->lapic || size != 4 || (gpa & 0xf) || !lapic_window_claims(v, gpa))
		return;
	vlapic_write(v->lapic, gpa & 0xff0, (uint32_t)val);
}

static void mmio_init(struct device *d)
{
	d->vm->lapic_mmio = d;	/* for the vCPUs whose LAPIC page moved */
}

const struct device_model lapic_mmio_model = {
	.name = "lapic",
	.flags = DEVICE_SELF_LOCKING,
	.init = mmio_init,
	.mmio_read = mmio_read,
	.mmio_write = mmio_write,
};
