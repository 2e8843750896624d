/*
 * arch/x86/cpu_model.c - the table of the virtual CPU (see cpu_model.h).
 * CPUID bits: AMD APM vol. 3, appendix E (and the SDM for Intel-only bits
 * that a host of another vendor might show). CR bits: APM vol. 2, 3.1.
 * Speculation controls (IBPB, IBRS, STIBP, SSBD, AutoIBRS) are hidden, not
 * backed: no emulator the tests run on offers them, so per-vCPU SPEC_CTRL
 * and PRED_CMD rows could not be proven end to end, and a guest that sees
 * no control uses its software mitigations and says it is not protected by
 * the hardware, instead of believing it is (issue 17, item 9).
 */
#include "arch/x86/cpu_model.h"

#define EAX CPUID_EAX
#define EBX CPUID_EBX
#define ECX CPUID_ECX
#define EDX CPUID_EDX
#define B(n) (1ull << (n))

/* A feature with no MSR and no control-register bit. */
#define ROW(n, l, r, b, o, w) \
	{ .name = n, .leaf = l, .reg = r, .bit = b, .offer = o, .what = w }
#define HIDE(n, l, r, b, w) ROW(n, l, r, b, OFFER_HIDDEN, w)

#define M(f, l, k, h, n) { f, l, k, h, n }
#define MSR_TSC_ROW M(0x10, 0x10, MSRK_TSC, MSR_EMULATED, "TSC (a per-vCPU offset)")
#define MSR_APIC_ROW M(0x1b, 0x1b, MSRK_APIC_BASE, MSR_EMULATED, "APIC_BASE")
#define MSR_SYSENTER_ROW M(0x174, 0x176, MSRK_PASSTHROUGH, MSR_SWITCHED, \
			   "SYSENTER_CS/ESP/EIP (VMLOAD/VMSAVE)")
#define MSR_PAT_ROW M(0x277, 0x277, MSRK_PAT, MSR_SWITCHED, "PAT (the VMCB's G_PAT)")
#define MSR_MTRR_ROWS \
	M(0xfe, 0xfe, MSRK_MTRR, MSR_EMULATED, "MTRRcap (8 variable, fixed, WC)"), \
	M(0x200, 0x20f, MSRK_MTRR, MSR_EMULATED, "MTRRphysBase/Mask0-7"), \
	M(0x250, 0x250, MSRK_MTRR, MSR_EMULATED, "MTRRfix64K"), \
	M(0x258, 0x259, MSRK_MTRR, MSR_EMULATED, "MTRRfix16K"), \
	M(0x268, 0x26f, MSRK_MTRR, MSR_EMULATED, "MTRRfix4K"), \
	M(0x2ff, 0x2ff, MSRK_MTRR, MSR_EMULATED, "MTRRdefType")
#define MSR_MCA_ROWS \
	M(0x179, 0x179, MSRK_MCG_CAP, MSR_EMULATED, "MCG_CAP (4 banks, MCG_CTL_P; read-only)"), \
	M(0x17a, 0x17a, MSRK_MCG_STATUS, MSR_EMULATED, "MCG_STATUS"), \
	M(0x17b, 0x17b, MSRK_MCG_CTL, MSR_EMULATED, "MCG_CTL (0 or all ones)"), \
	M(0x400, 0x400 + 4 * CPU_MODEL_MCA_BANKS - 1, MSRK_MC_BANK, MSR_EMULATED, \
	  "MC0-3_CTL/STATUS/ADDR/MISC")

#define CR0_BASE (B(0) | B(1) | B(2) | B(3) | B(4) | B(5) | B(16) | B(18) | \
		  B(29) | B(30) | B(31))

/* The APM's copies in CPUID 8000_0001 EDX of CPUID 1 EDX bits. */
#define COPY(n, b) ROW(n " (copy)", 0x80000001, EDX, b, OFFER_HOST, \
		       "the AMD copy of the CPUID 1 EDX bit")

const struct cpu_feature cpu_model[] = {
	/* No CPUID bit: what every AMD64 CPU has. */
	{ .name = "x86-64 base", .offer = OFFER_ALWAYS, .cr0 = CR0_BASE,
	  .msrs = { M(0xc0000080, 0xc0000080, MSRK_EFER, MSR_SWITCHED,
		      "EFER (the VMCB's; SVME hidden)") },
	  .what = "CR0 PE MP EM TS ET NE WP AM NW CD PG; a MOV to CR0 of bits "
		  "63:32, NW without CD or PG without PE gets #GP, other reserved "
		  "bits are ignored" },
	{ .name = "legacy performance counters", .offer = OFFER_ALWAYS,
	  .cr4 = B(8),
	  .msrs = { M(0xc0010000, 0xc0010007, MSRK_PERF_LEGACY, MSR_EMULATED,
		      "PerfEvtSel0-3, PerfCtr0-3 (read 0, writes dropped)") },
	  .what = "APM vol. 2, 13.2: present but not counting; RDPMC of "
		  "counters 0-3 reads 0 (#GP for others, or CPL>0 with CR4.PCE=0)" },
	{ .name = "AMD configuration MSRs", .offer = OFFER_ALWAYS,
	  .msrs = { M(0xc0010010, 0xc0010010, MSRK_SYSCFG, MSR_EMULATED,
		      "SYSCFG (0: no TOM2, no SME; writes of 0 only)"),
		    M(0xc0010015, 0xc0010015, MSRK_HWCR, MSR_EMULATED,
		      "HWCR (TscFreqSel; McStatusWrEn writable)"),
		    M(0xc0010055, 0xc0010055, MSRK_INT_PENDING, MSR_EMULATED,
		      "Interrupt Pending Message (0: no C1E)") },
	  .what = "synthetic values, never the host's" },

	/* CPUID 1 EDX */
	ROW("FPU", 1, EDX, 0, OFFER_HOST, "x87, switched per vCPU"),
	{ .name = "VME", .leaf = 1, .reg = EDX, .bit = 1, .offer = OFFER_HOST,
	  .cr4 = B(0) | B(1), .what = "CR4.VME, CR4.PVI" },
	{ .name = "DE", .leaf = 1, .reg = EDX, .bit = 2, .offer = OFFER_HOST,
	  .cr4 = B(3), .what = "CR4.DE" },
	{ .name = "PSE", .leaf = 1, .reg = EDX, .bit = 3, .offer = OFFER_HOST,
	  .cr4 = B(4), .what = "CR4.PSE" },
	{ .name = "TSC", .leaf = 1, .reg = EDX, .bit = 4, .offer = OFFER_HOST,
	  .cr4 = B(2), .msrs = { MSR_TSC_ROW }, .what = "CR4.TSD; TSC offset per vCPU" },
	ROW("MSR", 1, EDX, 5, OFFER_HOST, "RDMSR/WRMSR, all intercepted but the switched ones"),
	{ .name = "PAE", .leaf = 1, .reg = EDX, .bit = 6, .offer = OFFER_HOST,
	  .cr4 = B(5), .what = "CR4.PAE" },
	{ .name = "MCE", .leaf = 1, .reg = EDX, .bit = 7, .offer = OFFER_HOST,
	  .cr4 = B(6), .what = "CR4.MCE; real #MC stay the host's (never injected)" },
	ROW("CX8", 1, EDX, 8, OFFER_HOST, "instruction"),
	{ .name = "APIC", .leaf = 1, .reg = EDX, .bit = 9, .offer = OFFER_HOST,
	  .msrs = { MSR_APIC_ROW }, .what = "the virtual LAPIC (devices/vlapic.c)" },
	{ .name = "SEP", .leaf = 1, .reg = EDX, .bit = 11, .offer = OFFER_HOST,
	  .msrs = { MSR_SYSENTER_ROW }, .what = "SYSENTER/SYSEXIT" },
	{ .name = "MTRR", .leaf = 1, .reg = EDX, .bit = 12, .offer = OFFER_HOST,
	  .msrs = { MSR_MTRR_ROWS }, .what = "stored per vCPU; memory types come from NPT and PAT" },
	{ .name = "PGE", .leaf = 1, .reg = EDX, .bit = 13, .offer = OFFER_HOST,
	  .cr4 = B(7), .what = "CR4.PGE" },
	{ .name = "MCA", .leaf = 1, .reg = EDX, .bit = 14, .offer = OFFER_HOST,
	  .msrs = { MSR_MCA_ROWS },
	  .what = "4 emulated banks the guest reads and clears; no SMCA" },
	ROW("CMOV", 1, EDX, 15, OFFER_HOST, "instruction"),
	{ .name = "PAT", .leaf = 1, .reg = EDX, .bit = 16, .offer = OFFER_HOST,
	  .msrs = { MSR_PAT_ROW }, .what = "G_PAT, checked for reserved types" },
	ROW("PSE36", 1, EDX, 17, OFFER_HOST, "paging"),
	HIDE("PSN", 1, EDX, 18, "Intel's serial number"),
	ROW("CLFSH", 1, EDX, 19, OFFER_HOST, "instruction"),
	HIDE("DS", 1, EDX, 21, "debug store: MSRs not emulated"),
	HIDE("ACPI thermal", 1, EDX, 22, "thermal MSRs not emulated"),
	ROW("MMX", 1, EDX, 23, OFFER_HOST, "instructions"),
	{ .name = "FXSR", .leaf = 1, .reg = EDX, .bit = 24, .offer = OFFER_HOST,
	  .cr4 = B(9), .what = "CR4.OSFXSR; state switched per vCPU" },
	{ .name = "SSE", .leaf = 1, .reg = EDX, .bit = 25, .offer = OFFER_HOST,
	  .cr4 = B(10), .what = "CR4.OSXMMEXCPT; XMM state switched" },
	ROW("SSE2", 1, EDX, 26, OFFER_HOST, "instructions"),
	HIDE("SS", 1, EDX, 27, "self-snoop: Intel"),
	ROW("HTT", 1, EDX, 28, OFFER_SYNTH, "set when the VM has more than one vCPU"),
	HIDE("TM", 1, EDX, 29, "thermal monitor"),
	HIDE("PBE", 1, EDX, 31, "pending break enable"),

	/* CPUID 1 ECX */
	ROW("SSE3", 1, ECX, 0, OFFER_HOST, "instructions"),
	ROW("PCLMULQDQ", 1, ECX, 1, OFFER_HOST, "instruction"),
	HIDE("DTES64", 1, ECX, 2, "debug store"),
	HIDE("MONITOR", 1, ECX, 3, "MONITOR/MWAIT are intercepted and give #UD"),
	HIDE("DS-CPL", 1, ECX, 4, "debug store"),
	HIDE("VMX", 1, ECX, 5, "no nested virtualization"),
	HIDE("SMX", 1, ECX, 6, "no nested virtualization"),
	HIDE("EST", 1, ECX, 7, "power management"),
	HIDE("TM2", 1, ECX, 8, "thermal monitor"),
	ROW("SSSE3", 1, ECX, 9, OFFER_HOST, "instructions"),
	HIDE("CNXT-ID", 1, ECX, 10, "Intel"),
	HIDE("SDBG", 1, ECX, 11, "silicon debug MSR not emulated"),
	ROW("FMA", 1, ECX, 12, OFFER_HOST, "YMM state: only with AVX state switched"),
	ROW("CX16", 1, ECX, 13, OFFER_HOST, "instruction"),
	HIDE("xTPR", 1, ECX, 14, "Intel"),
	HIDE("PDCM", 1, ECX, 15, "perf capabilities MSR not emulated"),
	HIDE("PCID", 1, ECX, 17, "CR4.PCIDE gives #GP; not proven under the emulators"),
	HIDE("DCA", 1, ECX, 18, "Intel"),
	ROW("SSE4.1", 1, ECX, 19, OFFER_HOST, "instructions"),
	ROW("SSE4.2", 1, ECX, 20, OFFER_HOST, "instructions"),
	HIDE("x2APIC", 1, ECX, 21, "the virtual LAPIC is xAPIC only"),
	ROW("MOVBE", 1, ECX, 22, OFFER_HOST, "instruction"),
	ROW("POPCNT", 1, ECX, 23, OFFER_HOST, "instruction"),
	{ .name = "TSC-deadline", .leaf = 1, .reg = ECX, .bit = 24, .offer = OFFER_ALWAYS,
	  .msrs = { M(0x6e0, 0x6e0, MSRK_TSC_DEADLINE, MSR_EMULATED, "TSC_DEADLINE") },
	  .what = "the virtual LAPIC's timer mode" },
	ROW("AES", 1, ECX, 25, OFFER_HOST, "instructions"),
	{ .name = "XSAVE", .leaf = 1, .reg = ECX, .bit = 26, .offer = OFFER_HOST,
	  .need = NEED_XSAVE, .cr4 = B(18), .xcr0 = B(0) | B(1),
	  .what = "CR4.OSXSAVE, XCR0 x87|SSE; XSETBV intercepted; XSAVEOPT only" },
	{ .name = "OSXSAVE", .leaf = 1, .reg = ECX, .bit = 27, .offer = OFFER_SYNTH,
	  .need = NEED_XSAVE, .what = "the guest's own CR4.OSXSAVE" },
	{ .name = "AVX", .leaf = 1, .reg = ECX, .bit = 28, .offer = OFFER_HOST,
	  .need = NEED_AVX_STATE, .xcr0 = B(2), .what = "XCR0.YMM; YMM state switched" },
	ROW("F16C", 1, ECX, 29, OFFER_HOST, "YMM state: only with AVX state switched"),
	ROW("RDRAND", 1, ECX, 30, OFFER_HOST, "instruction"),
	ROW("hypervisor", 1, ECX, 31, OFFER_ALWAYS, "yakvm's leaves at 0x40000000, KVM's at 0x40000100"),

	/* KVM's paravirtual features (CPUID 0x40000101 EAX; Linux's
	 * Documentation/virt/kvm/x86/cpuid.rst and msr.rst). */
	{ .name = "KVM PV_EOI", .leaf = CPU_MODEL_KVM_FEATURES, .reg = EAX, .bit = 6,
	  .offer = OFFER_ALWAYS,
	  .msrs = { M(0x4b564d04, 0x4b564d04, MSRK_KVM_PV_EOI, MSR_EMULATED,
		      "MSR_KVM_PV_EOI_EN (bit 0 enables; a 4-byte aligned address in the VM's RAM)") },
	  .what = "an EOI by clearing a flag in guest memory, no exit (devices/vlapic.h); "
		  "with kvm_pv=off: hidden, the MSR gives #GP" },

	/* CPUID 7.0 EBX/ECX/EDX */
	{ .name = "FSGSBASE", .leaf = 7, .reg = EBX, .bit = 0, .offer = OFFER_HOST,
	  .cr4 = B(16), .what = "CR4.FSGSBASE; FS/GS bases switched by VMLOAD/VMSAVE" },
	HIDE("TSC_ADJUST", 7, EBX, 1, "MSR 0x3b not emulated"),
	HIDE("SGX", 7, EBX, 2, "Intel"),
	ROW("BMI1", 7, EBX, 3, OFFER_HOST, "instructions"),
	HIDE("HLE", 7, EBX, 4, "TSX: Intel"),
	ROW("AVX2", 7, EBX, 5, OFFER_HOST, "YMM state: only with AVX state switched"),
	ROW("FDP_EXCPTN_ONLY", 7, EBX, 6, OFFER_HOST, "x87 behaviour"),
	{ .name = "SMEP", .leaf = 7, .reg = EBX, .bit = 7, .offer = OFFER_HOST,
	  .cr4 = B(20), .what = "CR4.SMEP" },
	ROW("BMI2", 7, EBX, 8, OFFER_HOST, "instructions"),
	ROW("ERMS", 7, EBX, 9, OFFER_HOST, "REP MOVSB/STOSB"),
	HIDE("INVPCID", 7, EBX, 10, "PCID is hidden"),
	HIDE("RTM", 7, EBX, 11, "TSX: Intel"),
	HIDE("PQM", 7, EBX, 12, "QoS MSRs not emulated"),
	ROW("FPCSDS", 7, EBX, 13, OFFER_HOST, "x87 CS/DS deprecated"),
	HIDE("MPX", 7, EBX, 14, "bound registers not switched"),
	HIDE("PQE", 7, EBX, 15, "QoS MSRs not emulated"),
	HIDE("AVX512F", 7, EBX, 16, "AVX-512 state not switched"),
	HIDE("AVX512DQ", 7, EBX, 17, "AVX-512 state not switched"),
	ROW("RDSEED", 7, EBX, 18, OFFER_HOST, "instruction"),
	ROW("ADX", 7, EBX, 19, OFFER_HOST, "instructions"),
	{ .name = "SMAP", .leaf = 7, .reg = EBX, .bit = 20, .offer = OFFER_HOST,
	  .cr4 = B(21), .what = "CR4.SMAP" },
	HIDE("AVX512_IFMA", 7, EBX, 21, "AVX-512 state not switched"),
	ROW("CLFLUSHOPT", 7, EBX, 23, OFFER_HOST, "instruction"),
	ROW("CLWB", 7, EBX, 24, OFFER_HOST, "instruction"),
	HIDE("PT", 7, EBX, 25, "processor trace"),
	HIDE("AVX512PF", 7, EBX, 26, "AVX-512 state not switched"),
	HIDE("AVX512ER", 7, EBX, 27, "AVX-512 state not switched"),
	HIDE("AVX512CD", 7, EBX, 28, "AVX-512 state not switched"),
	ROW("SHA", 7, EBX, 29, OFFER_HOST, "instructions"),
	HIDE("AVX512BW", 7, EBX, 30, "AVX-512 state not switched"),
	HIDE("AVX512VL", 7, EBX, 31, "AVX-512 state not switched"),
	HIDE("AVX512_VBMI", 7, ECX, 1, "AVX-512 state not switched"),
	{ .name = "UMIP", .leaf = 7, .reg = ECX, .bit = 2, .offer = OFFER_HOST,
	  .cr4 = B(11), .what = "CR4.UMIP" },
	HIDE("PKU", 7, ECX, 3, "CR4.PKE gives #GP: PKRU is not switched"),
	HIDE("OSPKE", 7, ECX, 4, "PKU is hidden"),
	HIDE("WAITPKG", 7, ECX, 5, "UMWAIT: Intel"),
	HIDE("AVX512_VBMI2", 7, ECX, 6, "AVX-512 state not switched"),
	HIDE("CET_SS", 7, ECX, 7, "CR4.CET gives #GP: CET state not switched"),
	ROW("GFNI", 7, ECX, 8, OFFER_HOST, "instructions (XMM forms)"),
	ROW("VAES", 7, ECX, 9, OFFER_HOST, "YMM state: only with AVX state switched"),
	ROW("VPCLMULQDQ", 7, ECX, 10, OFFER_HOST, "YMM state: only with AVX state switched"),
	HIDE("AVX512_VNNI", 7, ECX, 11, "AVX-512 state not switched"),
	HIDE("AVX512_BITALG", 7, ECX, 12, "AVX-512 state not switched"),
	HIDE("AVX512_VPOPCNTDQ", 7, ECX, 14, "AVX-512 state not switched"),
	HIDE("LA57", 7, ECX, 16, "CR4.LA57 gives #GP: 5-level guest paging not proven"),
	{ .name = "RDPID", .leaf = 7, .reg = ECX, .bit = 22, .offer = OFFER_HOST,
	  .need = NEED_TSC_AUX,
	  .msrs = { M(0xc0000103, 0xc0000103, MSRK_TSC_AUX, MSR_SWITCHED, "TSC_AUX (per vCPU)") },
	  .what = "reads the vCPU's TSC_AUX" },
	ROW("FSRM", 7, EDX, 4, OFFER_HOST, "fast short REP MOVSB"),
	HIDE("IBRS/IBPB (Intel)", 7, EDX, 26, "speculation controls hidden (see the top)"),
	HIDE("STIBP (Intel)", 7, EDX, 27, "speculation controls hidden"),
	HIDE("ARCH_CAPABILITIES", 7, EDX, 29, "MSR not emulated"),
	HIDE("SSBD (Intel)", 7, EDX, 31, "speculation controls hidden"),

	/* CPUID 8000_0001 EDX: AMD's copies, and its own bits */
	COPY("FPU", 0), COPY("VME", 1), COPY("DE", 2), COPY("PSE", 3),
	{ .name = "TSC (copy)", .leaf = 0x80000001, .reg = EDX, .bit = 4,
	  .offer = OFFER_HOST, .msrs = { MSR_TSC_ROW }, .what = "copy of CPUID 1" },
	COPY("MSR", 5), COPY("PAE", 6), COPY("MCE", 7), COPY("CX8", 8),
	{ .name = "APIC (copy)", .leaf = 0x80000001, .reg = EDX, .bit = 9,
	  .offer = OFFER_HOST, .msrs = { MSR_APIC_ROW }, .what = "copy of CPUID 1" },
	{ .name = "SYSCALL", .leaf = 0x80000001, .reg = EDX, .bit = 11, .offer = OFFER_HOST,
	  .efer = B(0),
	  .msrs = { M(0xc0000081, 0xc0000084, MSRK_PASSTHROUGH, MSR_SWITCHED,
		      "STAR, LSTAR, CSTAR, SFMASK (VMLOAD/VMSAVE)") },
	  .what = "EFER.SCE" },
	{ .name = "MTRR (copy)", .leaf = 0x80000001, .reg = EDX, .bit = 12,
	  .offer = OFFER_HOST, .msrs = { MSR_MTRR_ROWS }, .what = "copy of CPUID 1" },
	COPY("PGE", 13),
	{ .name = "MCA (copy)", .leaf = 0x80000001, .reg = EDX, .bit = 14,
	  .offer = OFFER_HOST, .msrs = { MSR_MCA_ROWS }, .what = "copy of CPUID 1" },
	COPY("CMOV", 15),
	{ .name = "PAT (copy)", .leaf = 0x80000001, .reg = EDX, .bit = 16,
	  .offer = OFFER_HOST, .msrs = { MSR_PAT_ROW }, .what = "copy of CPUID 1" },
	COPY("PSE36", 17),
	{ .name = "NX", .leaf = 0x80000001, .reg = EDX, .bit = 20, .offer = OFFER_HOST,
	  .efer = B(11), .what = "EFER.NXE" },
	ROW("MmxExt", 0x80000001, EDX, 22, OFFER_HOST, "instructions"),
	COPY("MMX", 23), COPY("FXSR", 24),
	{ .name = "FFXSR", .leaf = 0x80000001, .reg = EDX, .bit = 25, .offer = OFFER_HOST,
	  .efer = B(14), .what = "EFER.FFXSR" },
	ROW("Page1GB", 0x80000001, EDX, 26, OFFER_HOST, "1 GiB guest pages (NPT is separate)"),
	{ .name = "RDTSCP", .leaf = 0x80000001, .reg = EDX, .bit = 27, .offer = OFFER_HOST,
	  .need = NEED_TSC_AUX,
	  .msrs = { M(0xc0000103, 0xc0000103, MSRK_TSC_AUX, MSR_SWITCHED, "TSC_AUX (per vCPU)") },
	  .what = "reads the vCPU's TSC_AUX" },
	{ .name = "LM", .leaf = 0x80000001, .reg = EDX, .bit = 29, .offer = OFFER_HOST,
	  .efer = B(8) | B(10),
	  .msrs = { M(0xc0000100, 0xc0000102, MSRK_PASSTHROUGH, MSR_SWITCHED,
		      "FS_BASE, GS_BASE, KERNEL_GS_BASE (VMLOAD/VMSAVE)") },
	  .what = "EFER.LME/LMA" },
	ROW("3DNowExt", 0x80000001, EDX, 30, OFFER_HOST, "instructions"),
	ROW("3DNow", 0x80000001, EDX, 31, OFFER_HOST, "instructions"),

	/* CPUID 8000_0001 ECX */
	ROW("LahfSahf", 0x80000001, ECX, 0, OFFER_HOST, "instructions"),
	ROW("CmpLegacy", 0x80000001, ECX, 1, OFFER_SYNTH,
	    "set with HTT: the vCPUs are cores of one package"),
	HIDE("SVM", 0x80000001, ECX, 2, "no nested virtualization; EFER.SVME reads 0"),
	HIDE("ExtApicSpace", 0x80000001, ECX, 3, "the virtual LAPIC has no extended space"),
	ROW("AltMovCr8", 0x80000001, ECX, 4, OFFER_HOST, "LOCK MOV CR0 = CR8 (the VMCB's V_TPR)"),
	ROW("ABM", 0x80000001, ECX, 5, OFFER_HOST, "LZCNT"),
	ROW("SSE4A", 0x80000001, ECX, 6, OFFER_HOST, "instructions"),
	ROW("MisAlignSse", 0x80000001, ECX, 7, OFFER_HOST, "behaviour"),
	ROW("3DNowPrefetch", 0x80000001, ECX, 8, OFFER_HOST, "PREFETCHW"),
	HIDE("OSVW", 0x80000001, ECX, 9, "OSVW MSRs not emulated"),
	HIDE("IBS", 0x80000001, ECX, 10, "sampling MSRs not emulated"),
	ROW("XOP", 0x80000001, ECX, 11, OFFER_HOST, "YMM state: only with AVX state switched"),
	HIDE("SKINIT", 0x80000001, ECX, 12, "intercepted: #UD"),
	HIDE("WDT", 0x80000001, ECX, 13, "watchdog MSRs not emulated"),
	HIDE("LWP", 0x80000001, ECX, 15, "LWP state not switched"),
	ROW("FMA4", 0x80000001, ECX, 16, OFFER_HOST, "YMM state: only with AVX state switched"),
	HIDE("TCE", 0x80000001, ECX, 17, "EFER.TCE gives #GP"),
	HIDE("NodeId", 0x80000001, ECX, 19, "node MSR not emulated"),
	ROW("TBM", 0x80000001, ECX, 21, OFFER_HOST, "instructions"),
	HIDE("TopologyExtensions", 0x80000001, ECX, 22,
	     "host cache sharing would contradict the vCPU topology; 0x8000001E is synthetic"),
	HIDE("PerfCtrExtCore", 0x80000001, ECX, 23, "only the 4 legacy counters"),
	HIDE("PerfCtrExtNB", 0x80000001, ECX, 24, "only the 4 legacy counters"),
	HIDE("DataBkptExt", 0x80000001, ECX, 26, "address-mask MSRs not emulated"),
	HIDE("PerfTsc", 0x80000001, ECX, 27, "MSR not emulated"),
	HIDE("PerfCtrExtLLC", 0x80000001, ECX, 28, "only the 4 legacy counters"),
	HIDE("MwaitExtended", 0x80000001, ECX, 29, "MONITORX/MWAITX"),

	/* CPUID 8000_0007 EDX, 8000_0008 EBX, 8000_0021 EAX */
	ROW("TscInvariant", 0x80000007, EDX, 8, OFFER_HOST, "the TSC is the host's, plus an offset"),
	ROW("CLZERO", 0x80000008, EBX, 0, OFFER_HOST, "instruction"),
	HIDE("InstRetCntMsr", 0x80000008, EBX, 1, "IRPerfCount MSR not emulated"),
	ROW("RstrFpErrPtrs", 0x80000008, EBX, 2, OFFER_HOST, "x87 behaviour"),
	HIDE("INVLPGB", 0x80000008, EBX, 3, "broadcast TLB flush"),
	HIDE("RDPRU", 0x80000008, EBX, 4, "intercepted: #UD (host APERF/MPERF)"),
	HIDE("MCOMMIT", 0x80000008, EBX, 8, "EFER.MCOMMIT gives #GP"),
	ROW("WBNOINVD", 0x80000008, EBX, 9, OFFER_HOST, "instruction"),
	HIDE("IBPB", 0x80000008, EBX, 12, "speculation controls hidden: PRED_CMD gives #GP"),
	HIDE("IBRS", 0x80000008, EBX, 14, "speculation controls hidden: SPEC_CTRL gives #GP"),
	HIDE("STIBP", 0x80000008, EBX, 15, "speculation controls hidden"),
	HIDE("IbrsAlwaysOn", 0x80000008, EBX, 16, "speculation controls hidden"),
	HIDE("StibpAlwaysOn", 0x80000008, EBX, 17, "speculation controls hidden"),
	HIDE("IbrsPreferred", 0x80000008, EBX, 18, "speculation controls hidden"),
	HIDE("IbrsSameMode", 0x80000008, EBX, 19, "speculation controls hidden"),
	HIDE("SSBD", 0x80000008, EBX, 24, "speculation controls hidden"),
	HIDE("VirtSsbd", 0x80000008, EBX, 25, "VIRT_SPEC_CTRL gives #GP"),
	HIDE("SsbNo", 0x80000008, EBX, 26, "the host's: not promised to a guest"),
	HIDE("PSFD", 0x80000008, EBX, 28, "speculation controls hidden"),
	HIDE("BTC_NO", 0x80000008, EBX, 29, "the host's: not promised to a guest"),
	ROW("NoNestedDataBp", 0x80000021, EAX, 0, OFFER_HOST, "behaviour"),
	ROW("LFenceAlwaysSerializing", 0x80000021, EAX, 2, OFFER_HOST, "behaviour"),
	HIDE("SmmPgCfgLock", 0x80000021, EAX, 3, "SMM"),
	ROW("NullSelectClearsBase", 0x80000021, EAX, 6, OFFER_HOST, "behaviour"),
	HIDE("UpperAddressIgnore", 0x80000021, EAX, 7, "EFER.UAIE gives #GP"),
	HIDE("AutoIBRS", 0x80000021, EAX, 8, "EFER.AIBRSE gives #GP: speculation controls hidden"),
	HIDE("NoSmmCtlMSR", 0x80000021, EAX, 9, "SMM"),
	HIDE("PrefetchCtlMsr", 0x80000021, EAX, 13, "MSR not emulated"),
	HIDE("CpuidUserDis", 0x80000021, EAX, 17, "HWCR bit not emulated"),
};
const size_t cpu_model_count = sizeof(cpu_model) / sizeof(cpu_model[0]);

const struct cpuid_leaf_rule cpuid_leaf_rules[] = {
	{ 0x0, LEAF_SYNTH, "max basic leaf (capped at 0xd) and the host's vendor" },
	{ 0x1, LEAF_FILTER, "features; EBX: APIC ID = vCPU id, vCPU count" },
	{ 0x2, LEAF_PASS, "cache descriptors (information)" },
	{ 0x4, LEAF_PASS, "cache parameters (information)" },
	{ 0x7, LEAF_FILTER, "subleaf 0 only; EAX (max subleaf) 0" },
	{ 0xd, LEAF_SYNTH, "XSAVE components of the offered XCR0 bits" },
	{ 0x40000000, LEAF_SYNTH, "max hypervisor leaf and the signature \"yakvm\"" },
	{ 0x40000001, LEAF_SYNTH, "yakvm's interface version" },
	{ CPU_MODEL_KVM_LEAVES, LEAF_SYNTH, "KVM's signature \"KVMKVMKVM\", max leaf 0x40000101" },
	{ CPU_MODEL_KVM_FEATURES, LEAF_SYNTH, "EAX: KVM's paravirtual features of the table; "
					      "EDX (hints) 0" },
	{ 0x80000000, LEAF_SYNTH, "max extended leaf (capped at 0x80000021) and vendor" },
	{ 0x80000001, LEAF_FILTER, "features" },
	{ 0x80000002, LEAF_PASS, "brand string" },
	{ 0x80000003, LEAF_PASS, "brand string" },
	{ 0x80000004, LEAF_PASS, "brand string" },
	{ 0x80000005, LEAF_PASS, "L1 cache and TLB (information)" },
	{ 0x80000006, LEAF_PASS, "L2/L3 cache and TLB (information)" },
	{ 0x80000007, LEAF_FILTER, "EDX: invariant TSC only; no RAS, no power bits" },
	{ 0x80000008, LEAF_FILTER, "EAX: address sizes; EBX: features; "
				   "ECX: vCPU count - 1 (synthetic); EDX 0" },
	{ 0x80000019, LEAF_PASS, "1 GiB page TLB (information)" },
	{ 0x8000001e, LEAF_SYNTH, "extended APIC ID = vCPU id, core id = vCPU id, "
				  "one node (never the host's APIC IDs)" },
	{ 0x80000021, LEAF_FILTER, "EAX: features; EBX-EDX 0" },
};
const size_t cpuid_leaf_rule_count = sizeof(cpuid_leaf_rules) / sizeof(cpuid_leaf_rules[0]);

const struct cpuid_leaf_rule *cpuid_leaf_rule(uint32_t leaf)
{
	for (size_t i = 0; i < cpuid_leaf_rule_count; i++)
		if (cpuid_leaf_rules[i].leaf == leaf)
			return &cpuid_leaf_rules[i];
	return NULL;
}

static bool need_met(uint8_t need, const struct cpu_host *h)
{
	switch (need) {
	case NEED_XSAVE:
		return h->xsave;
	case NEED_AVX_STATE:
		return h->xsave && h->avx_state;
	case NEED_TSC_AUX:
		return h->tsc_aux;
	}
	return true;
}

static bool name_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* Features that use the YMM state though their row has no XCR0 bit. */
static bool uses_ymm(const struct cpu_feature *f)
{
	static const char *const ymm[] = { "FMA", "F16C", "AVX2", "VAES", "VPCLMULQDQ",
					   "XOP", "FMA4" };
	for (size_t i = 0; i < sizeof(ymm) / sizeof(ymm[0]); i++)
		if (name_eq(ymm[i], f->name))
			return true;
	return false;
}

int cpu_model_find(const char *name)
{
	for (size_t i = 0; i < cpu_model_count; i++)
		if (name_eq(cpu_model[i].name, name))
			return (int)i;
	return -1;
}

void cpu_policy_build(struct cpu_policy *p, const struct cpu_host *h)
{
	uint32_t max_basic, max_ext, r[4];
	h->cpuid(0, 0, r);
	max_basic = r[0];
	h->cpuid(0x80000000, 0, r);
	max_ext = r[0];
	p->cr0_allowed = p->cr4_allowed = p->efer_allowed = p->xcr0_allowed = 0;
	for (size_t i = 0; i < cpu_model_count && i < CPU_POLICY_MAX; i++) {
		const struct cpu_feature *f = &cpu_model[i];
		bool on;
		switch (f->offer) {
		case OFFER_ALWAYS:
			on = true;
			break;
		case OFFER_SYNTH:
			on = need_met(f->need, h);
			break;
		case OFFER_HOST: {
			bool in_range = f->leaf < 0x80000000 ? f->leaf <= max_basic
							     : f->leaf <= max_ext;
			on = false;
			if (in_range) {
				h->cpuid(f->leaf, f->sub, r);
				on = (r[f->reg] >> f->bit) & 1;
			}
			uint8_t need = uses_ymm(f) ? NEED_AVX_STATE : f->need;
			on = on && need_met(need, h);
			break;
		}
		default:
			on = false;
		}
		p->offered[i] = on;
		if (on) {
			p->cr0_allowed |= f->cr0;
			p->cr4_allowed |= f->cr4;
			p->efer_allowed |= f->efer;
			p->xcr0_allowed |= f->xcr0;
		}
	}
}

static uint32_t bits_of(const struct cpu_policy *p, uint32_t leaf, uint32_t sub,
			unsigned reg, bool forced_only)
{
	uint32_t m = 0;
	for (size_t i = 0; i < cpu_model_count && i < CPU_POLICY_MAX; i++) {
		const struct cpu_feature *f = &cpu_model[i];
		if (!f->leaf || f->leaf != leaf || f->sub != sub || f->reg != reg ||
		    !p->offered[i])
			continue;
		if (f->offer == OFFER_ALWAYS || (!forced_only && f->offer == OFFER_HOST))
			m |= 1u << f->bit;
	}
	return m;
}

uint32_t cpu_policy_mask(const struct cpu_policy *p, uint32_t leaf, uint32_t sub,
			 unsigned reg)
{
	return bits_of(p, leaf, sub, reg, false);
}

uint32_t cpu_policy_forced(const struct cpu_policy *p, uint32_t leaf, uint32_t sub,
			   unsigned reg)
{
	return bits_of(p, leaf, sub, reg, true);
}

const struct cpu_model_msr *cpu_policy_msr(const struct cpu_policy *p, uint32_t msr)
{
	for (size_t i = 0; i < cpu_model_count && i < CPU_POLICY_MAX; i++) {
		if (!p->offered[i])
			continue;
		const struct cpu_feature *f = &cpu_model[i];
		for (unsigned j = 0; j < CPU_MODEL_MAX_MSRS && f->msrs[j].name; j++)
			if (msr >= f->msrs[j].first && msr <= f->msrs[j].last)
				return &f->msrs[j];
	}
	return NULL;
}

bool cpu_policy_has(const struct cpu_policy *p, const char *name)
{
	int i = cpu_model_find(name);
	return i >= 0 && p->offered[i];
}
