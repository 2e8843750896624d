/*
 * tests/guests/cpu_model.c - the conformance guest of yakvm's CPU model
 * (arch/x86/cpu_model.c, issue 14). Table-driven: for each feature below it
 * reads the CPUID bit; if shown, every MSR the feature implies must read
 * (and write back where writable) and every CR4/EFER bit it implies must
 * set and clear; if hidden, each of them must give #GP. Then the MSRs every
 * AMD CPU has (machine check, legacy performance counters, SYSCFG, HWCR),
 * reserved CR4/CR0 bits, RDPMC and RDPRU. The table here is written from
 * the APM, not copied from yakvm's. First it prints its CPUID leaves.
 * One "cpumodel: ok|FAIL" line per check; the status counts failures.
 */
#include "rt.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define TAG "cpumodel"

static int failures;

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(bool ok, const char *fmt, ...)
{
	char buf[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf(TAG ": %s %s\n", ok ? "ok" : "FAIL", buf);
	failures += !ok;
}

/* MOV to CR0/CR4, RDPMC, RDPRU: the exception vector, 0 if none. */
static int write_cr4_safe(uint32_t v)
{
	rt_last_vector = 0;
	__asm__ volatile("movl $1f, rt_fixup\n\tmov %0, %%cr4\n\t1: movl $0, rt_fixup"
			 :: "r"(v) : "memory");
	return rt_last_vector;
}

static int write_cr0_safe(uint32_t v)
{
	rt_last_vector = 0;
	__asm__ volatile("movl $1f, rt_fixup\n\tmov %0, %%cr0\n\t1: movl $0, rt_fixup"
			 :: "r"(v) : "memory");
	return rt_last_vector;
}

static uint32_t read_cr4(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static uint32_t read_cr0(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static int rdpmc_safe(uint32_t ecx, uint64_t *val)
{
	uint32_t lo = 0xdead, hi = 0xbeef;
	rt_last_vector = 0;
	__asm__ volatile("movl $1f, rt_fixup\n\trdpmc\n\t1: movl $0, rt_fixup"
			 : "+a"(lo), "+d"(hi) : "c"(ecx) : "memory");
	*val = ((uint64_t)hi << 32) | lo;
	return rt_last_vector;
}

static int rdpru_safe(void)
{
	rt_last_vector = 0;
	__asm__ volatile("movl $1f, rt_fixup\n\t.byte 0x0f, 0x01, 0xfd\n\t"
			 "1: movl $0, rt_fixup" :: "c"(0) : "eax", "edx", "memory");
	return rt_last_vector;
}

enum { EAX, EBX, ECX, EDX };
#define EFER 0xc0000080u

/* A feature: its CPUID bit, the MSRs (up to 4; ro: read-only), and the CR4
 * or EFER bit it makes writable. */
struct msr_use {
	uint32_t msr;
	bool ro;
};
struct feature {
	const char *name;
	uint32_t leaf, reg, bit;
	struct msr_use msrs[4];
	int cr4_bit, efer_bit;	/* -1: none */
};

#define NONE -1
static const struct feature features[] = {
	{ "VME", 1, EDX, 1, { { 0 } }, 0, NONE },
	{ "DE", 1, EDX, 2, { { 0 } }, 3, NONE },
	{ "PSE", 1, EDX, 3, { { 0 } }, 4, NONE },
	{ "TSC", 1, EDX, 4, { { 0x10 } }, 2, NONE },
	{ "MCE", 1, EDX, 7, { { 0 } }, 6, NONE },
	{ "APIC", 1, EDX, 9, { { 0x1b } }, NONE, NONE },
	{ "SEP", 1, EDX, 11, { { 0x174 }, { 0x175 }, { 0x176 } }, NONE, NONE },
	{ "MTRR", 1, EDX, 12, { { 0xfe, true }, { 0x200 }, { 0x250 }, { 0x2ff } }, NONE, NONE },
	{ "PGE", 1, EDX, 13, { { 0 } }, 7, NONE },
	{ "MCA", 1, EDX, 14, { { 0x179, true }, { 0x17a }, { 0x17b }, { 0x40f } }, NONE, NONE },
	{ "PAT", 1, EDX, 16, { { 0x277 } }, NONE, NONE },
	{ "FXSR", 1, EDX, 24, { { 0 } }, 9, NONE },
	{ "SSE", 1, EDX, 25, { { 0 } }, 10, NONE },
	{ "PCID", 1, ECX, 17, { { 0 } }, 17, NONE },
	{ "x2APIC", 1, ECX, 21, { { 0x802 }, { 0x808 } }, NONE, NONE },
	{ "TSC-deadline", 1, ECX, 24, { { 0x6e0 } }, NONE, NONE },
	{ "XSAVE", 1, ECX, 26, { { 0 } }, 18, NONE },
	{ "FSGSBASE", 7, EBX, 0, { { 0 } }, 16, NONE },
	{ "TSC_ADJUST", 7, EBX, 1, { { 0x3b } }, NONE, NONE },
	{ "SMEP", 7, EBX, 7, { { 0 } }, 20, NONE },
	{ "SMAP", 7, EBX, 20, { { 0 } }, 21, NONE },
	{ "UMIP", 7, ECX, 2, { { 0 } }, 11, NONE },
	{ "PKU", 7, ECX, 3, { { 0 } }, 22, NONE },
	{ "LA57", 7, ECX, 16, { { 0 } }, 12, NONE },
	{ "CET_SS", 7, ECX, 7, { { 0 } }, 23, NONE },
	{ "SPEC_CTRL (Intel)", 7, EDX, 26, { { 0x48 }, { 0x49 } }, NONE, NONE },
	{ "ARCH_CAPABILITIES", 7, EDX, 29, { { 0x10a, true } }, NONE, NONE },
	{ "SYSCALL", 0x80000001, EDX, 11, { { 0xc0000081 }, { 0xc0000082 }, { 0xc0000084 } },
	  NONE, 0 },
	{ "NX", 0x80000001, EDX, 20, { { 0 } }, NONE, 11 },
	{ "FFXSR", 0x80000001, EDX, 25, { { 0 } }, NONE, 14 },
	{ "RDTSCP", 0x80000001, EDX, 27, { { 0xc0000103 } }, NONE, NONE },
	{ "LM", 0x80000001, EDX, 29, { { 0xc0000100 }, { 0xc0000102 } }, NONE, NONE },
	{ "SVM", 0x80000001, ECX, 2, { { 0xc0010114 }, { 0xc0010117 } }, NONE, 12 },
	{ "OSVW", 0x80000001, ECX, 9, { { 0xc0010140 }, { 0xc0010141 } }, NONE, NONE },
	{ "IBS", 0x80000001, ECX, 10, { { 0xc0011030 } }, NONE, NONE },
	{ "TCE", 0x80000001, ECX, 17, { { 0 } }, NONE, 15 },
	{ "PerfCtrExtCore", 0x80000001, ECX, 23, { { 0xc0010200 }, { 0xc0010201 } }, NONE, NONE },
	{ "PerfCtrExtNB", 0x80000001, ECX, 24, { { 0xc0010240 } }, NONE, NONE },
	{ "InstRetCntMsr", 0x80000008, EBX, 1, { { 0xc00000e9 } }, NONE, NONE },
	{ "IBPB", 0x80000008, EBX, 12, { { 0x49 } }, NONE, NONE },
	{ "IBRS", 0x80000008, EBX, 14, { { 0x48 } }, NONE, NONE },
	{ "VirtSsbd", 0x80000008, EBX, 25, { { 0xc001011f } }, NONE, NONE },
	{ "AutoIBRS", 0x80000021, EAX, 8, { { 0 } }, NONE, 21 },
};

static uint32_t max_basic, max_ext;

static bool shown(const struct feature *f)
{
	uint32_t r[4];
	if (f->leaf < 0x80000000 ? f->leaf > max_basic : f->leaf > max_ext)
		return false;
	cpuid(f->leaf, 0, r);
	return (r[f->reg] >> f->bit) & 1;
}

static void check_feature(const struct feature *f)
{
	bool on = shown(f);
	printf(TAG ": feature %s: %s\n", f->name, on ? "shown" : "hidden");
	for (unsigned i = 0; i < 4 && f->msrs[i].msr; i++) {
		uint32_t m = f->msrs[i].msr;
		uint64_t v;
		int rd = rdmsr_safe(m, &v);
		if (!on) {
			check(rd == 13, "%s hidden: RDMSR 0x%x gives #GP", f->name, m);
			check(wrmsr_safe(m, 0) == 13, "%s hidden: WRMSR 0x%x gives #GP", f->name, m);
			continue;
		}
		check(rd == 0, "%s: RDMSR 0x%x works", f->name, m);
		int wr = wrmsr_safe(m, v);
		if (f->msrs[i].ro)
			check(wr == 13, "%s: MSR 0x%x is read-only (#GP)", f->name, m);
		else
			check(wr == 0, "%s: WRMSR 0x%x of its value works", f->name, m);
	}
	if (f->cr4_bit != NONE) {
		uint32_t cr4 = read_cr4(), bit = 1u << f->cr4_bit;
		if (on) {
			int set = write_cr4_safe(cr4 | bit);
			bool seen = (read_cr4() & bit) != 0;
			int clr = write_cr4_safe(cr4 & ~bit);
			check(set == 0 && seen && clr == 0 && !(read_cr4() & bit),
			      "%s: CR4 bit %d sets and clears", f->name, f->cr4_bit);
			write_cr4_safe(cr4);
		} else {
			check(write_cr4_safe(cr4 | bit) == 13 && read_cr4() == cr4,
			      "%s hidden: setting CR4 bit %d gives #GP", f->name, f->cr4_bit);
		}
	}
	if (f->efer_bit != NONE) {
		uint64_t efer, bit = 1ull << f->efer_bit, now;
		rdmsr_safe(EFER, &efer);
		if (on) {
			int set = wrmsr_safe(EFER, efer | bit);
			rdmsr_safe(EFER, &now);
			int clr = wrmsr_safe(EFER, efer);
			check(set == 0 && (now & bit) && clr == 0,
			      "%s: EFER bit %d sets and clears", f->name, f->efer_bit);
		} else {
			check(wrmsr_safe(EFER, efer | bit) == 13,
			      "%s hidden: setting EFER bit %d gives #GP", f->name, f->efer_bit);
		}
	}
}

static void dump_cpuid(void)
{
	static const uint32_t leaves[] = { 0, 1, 7, 0xd, 0x80000000, 0x80000001, 0x80000007,
					   0x80000008, 0x8000001e, 0x80000021 };
	for (unsigned i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
		uint32_t r[4];
		cpuid(leaves[i], 0, r);
		printf(TAG ": cpuid 0x%x: %08x %08x %08x %08x\n", leaves[i], r[0], r[1], r[2], r[3]);
	}
}

/* Machine check (APM vol. 2, 9.3): 4 banks the guest reads and clears. */
static void check_mca(void)
{
	uint64_t cap, v, hwcr;
	if (rdmsr_safe(0x179, &cap))
		return;
	unsigned banks = cap & 0xff;
	check(banks >= 1 && banks <= 32, "MCG_CAP has %u banks", banks);
	check(rdmsr_safe(0x400 + 4 * banks, &v) == 13, "MC%u_CTL (past the banks) gives #GP",
	      banks);
	check(wrmsr_safe(0x17a, 0) == 0 && rdmsr_safe(0x17a, &v) == 0 && v == 0,
	      "MCG_STATUS is cleared");
	check(wrmsr_safe(0x17b, ~0ull) == 0 && rdmsr_safe(0x17b, &v) == 0 && v == ~0ull,
	      "MCG_CTL takes all ones");
	for (unsigned b = 0; b < banks; b++) {
		bool ok = wrmsr_safe(0x400 + 4 * b, ~0ull) == 0 &&
			  wrmsr_safe(0x401 + 4 * b, 0) == 0 &&
			  rdmsr_safe(0x401 + 4 * b, &v) == 0 && v == 0 &&
			  rdmsr_safe(0x402 + 4 * b, &v) == 0 && rdmsr_safe(0x403 + 4 * b, &v) == 0;
		check(ok, "MC%u_CTL/STATUS/ADDR/MISC read, CTL set, STATUS cleared", b);
	}
	check(wrmsr_safe(0x401, 1ull << 63) == 13,
	      "a non-zero MC0_STATUS write gives #GP without HWCR.McStatusWrEn");
	check(rdmsr_safe(0xc0010015, &hwcr) == 0 && (hwcr & (1u << 24)),
	      "HWCR reads with TscFreqSel");
	check(wrmsr_safe(0xc0010015, hwcr | (1u << 18)) == 0 &&
	      wrmsr_safe(0x401, 1ull << 63) == 0 && rdmsr_safe(0x401, &v) == 0 && v == 1ull << 63 &&
	      wrmsr_safe(0x401, 0) == 0 && wrmsr_safe(0xc0010015, hwcr) == 0,
	      "with McStatusWrEn MC0_STATUS takes a value, then clears");
	check(wrmsr_safe(0x179, cap) == 13, "MCG_CAP is read-only");
}

static void check_amd_msrs(void)
{
	uint64_t v;
	for (uint32_t m = 0xc0010000; m <= 0xc0010007; m++) {
		bool ok = rdmsr_safe(m, &v) == 0 && v == 0 && wrmsr_safe(m, 0x430076) == 0 &&
			  rdmsr_safe(m, &v) == 0 && v == 0;
		check(ok, "legacy perf MSR 0x%x reads 0, write dropped", m);
	}
	check(rdmsr_safe(0xc0010010, &v) == 0 && v == 0, "SYSCFG reads 0");
	check(wrmsr_safe(0xc0010010, 1u << 19) == 13, "SYSCFG write of a bit gives #GP");
	check(rdmsr_safe(0xc0010055, &v) == 0 && v == 0, "Interrupt Pending Message reads 0");
	check(rdmsr_safe(0xc0011029, &v) == 13, "DE_CFG (not in the model) gives #GP");
	check(rdmsr_safe(0xc0010299, &v) == 13, "RAPL unit (not in the model) gives #GP");
	for (unsigned c = 0; c < 4; c++)
		check(rdpmc_safe(c, &v) == 0 && v == 0, "RDPMC %u reads 0", c);
	check(rdpmc_safe(4, &v) == 13, "RDPMC 4 gives #GP");
	check(rdpmc_safe(0x40000000, &v) == 13, "RDPMC 0x40000000 gives #GP");
	uint32_t r[4];
	cpuid(0x80000008, 0, r);
	if (!(r[1] & (1u << 4)))
		check(rdpru_safe() == 6, "RDPRU (not offered) gives #UD");
}

/* LMSW (0F 01 /6) from a register and from memory: through the selective
 * CR0 write intercept when it changes EM (APM vol. 2, 15.9.2). */
static void lmsw_reg(uint16_t v) { __asm__ volatile("lmsw %0" :: "r"(v) : "memory"); }
static void lmsw_mem(const uint16_t *p) { __asm__ volatile("lmsw %0" :: "m"(*p) : "memory"); }

static void check_lmsw(uint32_t cr0)
{
	static uint16_t word;
	lmsw_reg((uint16_t)(cr0 | (1u << 2)));
	bool em_set = (read_cr0() & (1u << 2)) != 0;
	word = (uint16_t)(cr0 & ~(1u << 2));
	lmsw_mem(&word);
	bool em_clear = !(read_cr0() & (1u << 2));
	check(em_set && em_clear && read_cr0() == cr0,
	      "LMSW sets CR0.EM from a register and clears it from memory");
	lmsw_reg(0);
	check(read_cr0() == cr0, "LMSW 0 cannot clear CR0.PE");
}

static void check_cr(void)
{
	uint32_t cr4 = read_cr4(), cr0 = read_cr0();
	check(write_cr4_safe(0xffffffff) == 13 && read_cr4() == cr4, "CR4 = 0xffffffff gives #GP");
	check(write_cr4_safe(cr4 | (1u << 31)) == 13, "CR4 bit 31 (reserved) gives #GP");
	check(write_cr4_safe(cr4 | (1u << 15)) == 13, "CR4 bit 15 (reserved) gives #GP");
	check(write_cr4_safe(cr4 | (1u << 13)) == 13, "CR4.VMXE gives #GP");
	check(write_cr4_safe(cr4 | (1u << 8)) == 0 && (read_cr4() & (1u << 8)) &&
	      write_cr4_safe(cr4) == 0, "CR4.PCE sets and clears");
	check(write_cr0_safe((cr0 | (1u << 29)) & ~(1u << 30)) == 13 && read_cr0() == cr0,
	      "CR0.NW without CR0.CD gives #GP");
	check(write_cr0_safe((cr0 | (1u << 31)) & ~1u) == 13 && read_cr0() == cr0,
	      "CR0.PG without CR0.PE gives #GP");
	check(write_cr0_safe(cr0 | (1u << 30)) == 0 && (read_cr0() & (1u << 30)) &&
	      write_cr0_safe(cr0) == 0 && read_cr0() == cr0, "CR0.CD sets and clears");
	check(write_cr0_safe(cr0 | (1u << 18)) == 0 && (read_cr0() & (1u << 18)) &&
	      write_cr0_safe(cr0) == 0, "CR0.AM sets and clears");
	check(write_cr0_safe(cr0 | (1u << 20)) == 0 && read_cr0() == cr0,
	      "CR0 bit 20 (reserved) is ignored");
	if (!(cr0 & ((1u << 1) | (1u << 2) | (1u << 3))))
		check_lmsw(cr0);
}

/* KVM's leaves beside yakvm's (kvm_pv=on on this VM's line): PV_EOI alone,
 * and its MSR takes only a 4-byte aligned address in the VM's RAM. */
static void check_kvm_pv(void)
{
	static volatile uint32_t flag;
	uint32_t r[4];
	cpuid(0x40000100, 0, r);
	check(r[0] == 0x40000101 && !memcmp(&r[1], "KVMK", 4) && !memcmp(&r[2], "VMKV", 4) &&
	      !memcmp(&r[3], "M\0\0\0", 4), "CPUID 0x40000100: KVM's signature, max leaf 0x40000101");
	cpuid(0x40000101, 0, r);
	check(r[0] == 1u << 6 && r[3] == 0, "CPUID 0x40000101: PV_EOI alone, no hints");
	uint64_t pa = (uint64_t)(uintptr_t)&flag, v = 1;
	check(wrmsr_safe(0x4b564d04, pa | 1) == 0 && rdmsr_safe(0x4b564d04, &v) == 0 &&
	      v == (pa | 1), "PV EOI MSR takes the address of a flag in RAM and reads it back");
	check(wrmsr_safe(0x4b564d04, pa | 3) == 13, "PV EOI MSR: bit 1 (reserved) gives #GP");
	check(wrmsr_safe(0x4b564d04, 0xfee00000 | 1) == 13, "PV EOI MSR: an address in MMIO gives #GP");
	check(wrmsr_safe(0x4b564d04, (1ull << 40) | 1) == 13,
	      "PV EOI MSR: an address beyond RAM gives #GP");
	check(wrmsr_safe(0x4b564d04, 0) == 0 && rdmsr_safe(0x4b564d04, &v) == 0 && v == 0,
	      "PV EOI MSR: 0 turns it off");
	check(rdmsr_safe(0x4b564d01, &v) == 13, "KVM's kvmclock MSR (not offered) gives #GP");
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	uint32_t r[4];
	cpuid(0, 0, r);
	max_basic = r[0];
	cpuid(0x80000000, 0, r);
	max_ext = r[0];
	dump_cpuid();
	uint32_t a[4], b[4];
	cpuid(1, 0, a);
	cpuid(1, 0x444d4163, b);
	check(memcmp(a, b, sizeof(a)) == 0, "CPUID 1 ignores ECX");
	cpuid(0x80000001, 0, a);
	cpuid(0x80000001, 0xc0000101, b);
	check(memcmp(a, b, sizeof(a)) == 0, "CPUID 0x80000001 ignores ECX");
	cpuid(0x8000001e, 0, r);
	check(r[0] == 0 && (r[1] & 0xff) == 0, "CPUID 0x8000001E: APIC ID and core id 0 (vCPU 0)");
	for (unsigned i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		check_feature(&features[i]);
	check_mca();
	check_amd_msrs();
	check_cr();
	check_kvm_pv();
	printf(TAG ": %d failures\n", failures);
	return failures;
}
