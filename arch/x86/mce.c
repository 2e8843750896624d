/*
 * arch/x86/mce.c - machine checks (see mce.h). The #MC handler may interrupt
 * code that holds the console lock, so a recoverable error is only recorded
 * there and printed later by mce_report(); an unrecoverable one panics.
 * MSRs and bits: AMD APM vol. 2, 9.3 (MCG_CAP, MCG_STATUS, MCG_CTL, and the
 * MCi_CTL/STATUS/ADDR/MISC bank registers).
 */
#include "arch/x86/mce.h"
#include "arch/x86/cpu.h"
#include "arch/x86/interrupt.h"
#include "arch/x86/pcpu.h"
#include "lib/log.h"

#define MSR_MCG_CAP     0x179
#define MSR_MCG_STATUS  0x17a
#define MSR_MCG_CTL     0x17b
#define MSR_MC_CTL(i)    (0x400 + 4 * (i))
#define MSR_MC_STATUS(i) (0x401 + 4 * (i))
#define MSR_MC_ADDR(i)   (0x402 + 4 * (i))

#define MCG_CAP_COUNT   0xffu
#define MCG_CAP_CTL_P   (1ull << 8)
#define MCG_STATUS_RIPV (1ull << 0)
#define MCG_STATUS_EIPV (1ull << 1)

#define MCI_STATUS_VAL   (1ull << 63)
#define MCI_STATUS_UC    (1ull << 61)
#define MCI_STATUS_ADDRV (1ull << 58)
#define MCI_STATUS_PCC   (1ull << 57)

#define CPUID_1_EDX_MCE (1u << 7)
#define CPUID_1_EDX_MCA (1u << 14)
#define CR4_MCE         (1ull << 6)
#define VEC_MC          18

static bool have_mca(void)
{
	uint32_t edx = cpuid(1, 0).edx;
	return (edx & CPUID_1_EDX_MCE) && (edx & CPUID_1_EDX_MCA);
}

static unsigned bank_count(void)
{
	return (unsigned)(rdmsr(MSR_MCG_CAP) & MCG_CAP_COUNT);
}

static void record(struct pcpu *p, unsigned bank, uint64_t status, uint64_t addr)
{
	struct mce_record *r = &p->mce_log[p->mce_count % MCE_LOG_LEN];
	r->bank = bank;
	r->status = status;
	r->addr = addr;
	p->mce_count++;
}

static void mce_vector(struct intr_frame *f)
{
	(void)mce_handle(false);
}

void mce_cpu_init(void)
{
	irq_register(VEC_MC, mce_vector);
	if (!have_mca())
		return;
	unsigned banks = bank_count();
	if (rdmsr(MSR_MCG_CAP) & MCG_CAP_CTL_P)
		wrmsr(MSR_MCG_CTL, ~0ull);
	for (unsigned i = 0; i < banks; i++) {
		uint64_t status = rdmsr(MSR_MC_STATUS(i));
		if (status & MCI_STATUS_VAL) {
			log_warn("CPU %u: machine check bank %u held an error from before "
				 "boot: status=%016lx", this_cpu()->id, i, status);
			wrmsr(MSR_MC_STATUS(i), 0);
		}
		wrmsr(MSR_MC_CTL(i), ~0ull);
	}
	write_cr4(read_cr4() | CR4_MCE);
}

enum mce_result mce_handle(bool in_guest)
{
	struct pcpu *p = this_cpu();
	if (!have_mca())
		panic("machine check on CPU %u (no machine-check banks to say why)", p->id);
	uint64_t mcg = rdmsr(MSR_MCG_STATUS);
	bool pcc = false, any = false;
	unsigned banks = bank_count();
	for (unsigned i = 0; i < banks; i++) {
		uint64_t status = rdmsr(MSR_MC_STATUS(i));
		if (!(status & MCI_STATUS_VAL))
			continue;
		any = true;
		pcc |= (status & MCI_STATUS_PCC) != 0;
		record(p, i, status, status & MCI_STATUS_ADDRV ? rdmsr(MSR_MC_ADDR(i)) : 0);
		wrmsr(MSR_MC_STATUS(i), 0);
	}
	bool ripv = mcg & MCG_STATUS_RIPV;
	if (pcc || (!ripv && !in_guest)) {
		const struct mce_record *r = &p->mce_log[(p->mce_count - 1) % MCE_LOG_LEN];
		panic("unrecoverable machine check on CPU %u%s: MCG_STATUS=%lx, bank %u "
		      "status=%016lx addr=%lx; the processor context is %s",
		      p->id, in_guest ? " (in a guest)" : "", mcg, any ? r->bank : 0,
		      any ? r->status : 0, any ? r->addr : 0,
		      pcc ? "corrupt (PCC)" : "lost (RIPV=0)");
	}
	wrmsr(MSR_MCG_STATUS, 0);	/* clears MCIP: the next #MC is not a shutdown */
	if (!any)
		return MCE_NONE;
	return ripv ? MCE_RECOVERED : MCE_CONTEXT_LOST;
}

void mce_report(void)
{
	struct pcpu *p = this_cpu();
	uint64_t n = __atomic_load_n(&p->mce_count, __ATOMIC_RELAXED);
	if (n - p->mce_reported > MCE_LOG_LEN)
		p->mce_reported = n - MCE_LOG_LEN;
	for (; p->mce_reported < n; p->mce_reported++) {
		const struct mce_record *r = &p->mce_log[p->mce_reported % MCE_LOG_LEN];
		log_warn("machine check on CPU %u, bank %u: status=%016lx%s addr=%lx; "
			 "%s, yakvm goes on", p->id, r->bank, r->status,
			 r->status & MCI_STATUS_UC ? " (uncorrected)" : " (corrected)",
			 r->addr, r->status & MCI_STATUS_PCC ? "context corrupt" :
			 "recoverable");
	}
}
