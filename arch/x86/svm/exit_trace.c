/*
 * arch/x86/svm/exit_trace.c - the exit trace's formatters for the exits whose
 * EXITINFO fields only SVM defines (the exit table's trace column,
 * arch/x86/svm/exit.c; the line itself is core/diag/trace.c's).
 */
#include "arch/x86/svm/exit.h"
#include "arch/x86/svm/ioio.h"
#include "core/diag/exit_ring.h"
#include "core/run/vcpu.h"
#include "core/vm/vm.h"

/* IOIO (15.10.2): EXITINFO1 has the port, size, direction and string bits. */
bool svm_trace_ioio(struct trace_line *l, struct vcpu *v, const struct trace_exit *t)
{
	struct ioio io = ioio_decode(t->rec->info.info1);
	const char *owner = trace_pio_owner(v->vm, io.port);
	if (io.string) {
		static const char sfx[5] = { '?', 'b', 'w', '?', 'd' };
		trace_add(l, "IOIO %s%c 0x%x%s", io.in ? "ins" : "outs",
			  sfx[io.size <= 4 ? io.size : 0], io.port, io.rep ? " rep" : "");
		if (io.rep)
			trace_add(l, " rcx=0x%lx", t->rcx);
		trace_add(l, " %s %s", io.in ? "<-" : "->", owner);
		return false;
	}
	const char *reg = io.size == 4 ? "eax" : io.size == 2 ? "ax" : "al";
	uint64_t mask = io.size == 4 ? 0xffffffffull : io.size == 2 ? 0xffff : 0xff;
	uint64_t val = (io.in ? v->regs.r[GPR_RAX] : t->rax) & mask;
	trace_add(l, "IOIO %s 0x%x %s=0x%lx", io.in ? "in" : "out", io.port, reg, val);
	if (io.size == 1 && val >= 0x20 && val < 0x7f)
		trace_add(l, " '%c'", (char)val);
	trace_add(l, " %s %s", io.in ? "<-" : "->", owner);
	return false;
}

/* #NPF (15.25.6): EXITINFO2 is the GPA, EXITINFO1 a #PF error code. */
bool svm_trace_npf(struct trace_line *l, struct vcpu *v, const struct trace_exit *t)
{
	const struct exit_info *e = &t->rec->info;
	const struct trace_mmio *m = &v->trace_mmio;
	if (!m->n) {
		trace_add(l, "NPF %s gpa 0x%lx exitinfo1=0x%lx rip=0x%lx",
			  (e->info1 & 2) ? "write" : "read", e->info2, e->info1, e->rip);
		return false;
	}
	trace_add(l, "NPF %s gpa 0x%lx (%s) %s 0x%lx", m->write ? "write" : "read",
		  m->gpa, m->dev, m->write ? "<-" : "->", m->val);
	if (m->n > 1)
		trace_add(l, " (+%u more accesses)", m->n - 1);
	return false;
}

static const char *msr_name(uint32_t msr)
{
	switch (msr) {
	case 0x10: return "TSC";
	case 0x1b: return "APIC_BASE";
	case 0xfe: return "MTRRcap";
	case 0x277: return "PAT";
	case 0x2ff: return "MTRR_DEF_TYPE";
	case 0x6e0: return "TSC_DEADLINE";
	case 0xc0000080: return "EFER";
	}
	return NULL;
}

/* RDMSR/WRMSR (15.11): EXITINFO1 0 read, 1 write; ECX the MSR. An injected
 * exception (#GP) is told as the result. */
bool svm_trace_msr(struct trace_line *l, struct vcpu *v, const struct trace_exit *t)
{
	uint32_t msr = (uint32_t)t->rcx;
	bool write = t->rec->info.info1 == 1;
	const char *name = msr_name(msr);
	trace_add(l, "MSR %s 0x%x", write ? "wrmsr" : "rdmsr", msr);
	if (name)
		trace_add(l, " (%s)", name);
	int vec = trace_injected(t);
	if (vec >= 0) {
		trace_add(l, " -> ");
		trace_exception(l, vec);
	} else if (write) {
		trace_add(l, " <- 0x%lx", (t->rdx << 32) | (uint32_t)t->rax);
	} else {
		trace_add(l, " -> 0x%lx", (v->regs.r[GPR_RDX] << 32) |
			  (uint32_t)v->regs.r[GPR_RAX]);
	}
	return true;
}
