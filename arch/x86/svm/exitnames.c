/* arch/x86/svm/exitnames.c - printable names of the #VMEXIT codes. */
#include "arch/x86/svm/exitcodes.h"

static const char *const names[] = {
	[VMEXIT_EXCP_BASE + 1] = "#DB", [VMEXIT_EXCP_BASE + 3] = "#BP",
	[VMEXIT_EXCP_BASE + 17] = "#AC",
	[VMEXIT_INTR] = "INTR", [VMEXIT_NMI] = "NMI", [VMEXIT_SMI] = "SMI",
	[VMEXIT_INIT] = "INIT", [VMEXIT_VINTR] = "VINTR",
	[VMEXIT_CR0_SEL_WRITE] = "CR0_SEL_WRITE", [VMEXIT_RDTSC] = "RDTSC",
	[VMEXIT_RDPMC] = "RDPMC", [VMEXIT_PUSHF] = "PUSHF",
	[VMEXIT_POPF] = "POPF", [VMEXIT_CPUID] = "CPUID", [VMEXIT_RSM] = "RSM",
	[VMEXIT_IRET] = "IRET", [VMEXIT_SWINT] = "SWINT", [VMEXIT_INVD] = "INVD",
	[VMEXIT_PAUSE] = "PAUSE", [VMEXIT_HLT] = "HLT",
	[VMEXIT_INVLPG] = "INVLPG", [VMEXIT_INVLPGA] = "INVLPGA",
	[VMEXIT_IOIO] = "IOIO", [VMEXIT_MSR] = "MSR",
	[VMEXIT_TASK_SWITCH] = "TASK_SWITCH",
	[VMEXIT_FERR_FREEZE] = "FERR_FREEZE", [VMEXIT_SHUTDOWN] = "SHUTDOWN",
	[VMEXIT_VMRUN] = "VMRUN", [VMEXIT_VMMCALL] = "VMMCALL",
	[VMEXIT_VMLOAD] = "VMLOAD", [VMEXIT_VMSAVE] = "VMSAVE",
	[VMEXIT_STGI] = "STGI", [VMEXIT_CLGI] = "CLGI", [VMEXIT_SKINIT] = "SKINIT",
	[VMEXIT_RDTSCP] = "RDTSCP", [VMEXIT_ICEBP] = "ICEBP",
	[VMEXIT_WBINVD] = "WBINVD", [VMEXIT_MONITOR] = "MONITOR",
	[VMEXIT_MWAIT] = "MWAIT", [VMEXIT_MWAIT_CONDITIONAL] = "MWAIT_CONDITIONAL",
	[VMEXIT_XSETBV] = "XSETBV", [VMEXIT_RDPRU] = "RDPRU",
};

const char *svm_exit_name(uint64_t code)
{
	if (vmexit_is_invalid(code))
		return "INVALID";
	if (code == VMEXIT_NPF)
		return "NPF";
	if (code < 0x10)
		return "CR_READ";
	if (code < 0x20)
		return "CR_WRITE";
	if (code < 0x30)
		return "DR_READ";
	if (code < 0x40)
		return "DR_WRITE";
	if (code < 0x60)
		return names[code] ? names[code] : "EXCEPTION";
	if (code < sizeof(names) / sizeof(names[0]) && names[code])
		return names[code];
	return "UNKNOWN";
}
