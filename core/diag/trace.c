/*
 * core/diag/trace.c - one line per #VMEXIT for VMs with trace=1 (core/diag/trace.h).
 * The exit codes and EXITINFO fields are those of APM vol. 2, appendix C and
 * 15.9-15.25; the per-reason formats are listed in docs/exits.md.
 */
#include "core/diag/trace.h"
#include "core/diag/exit_ring.h"
#include "core/run/vcpu.h"
#include "arch/x86/svm/vmcb.h"
#include "core/vm/vm.h"
#include "lib/log.h"
#include "arch/x86/svm/exitcodes.h"
#include "arch/x86/svm/exit.h"
#include "arch/x86/svm/ioio.h"
#include "devices/device.h"
#include "lib/format.h"

struct line {
	char buf[320];
	size_t len;
};

__attribute__((format(printf, 2, 3)))
static void add(struct line *l, const char *fmt, ...)
{
	if (l->len >= sizeof(l->buf) - 1)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t)n;
	if (l->len > sizeof(l->buf) - 1)
		l->len = sizeof(l->buf) - 1;
}

void trace_begin(struct vcpu *v, const struct exit_record *exit, struct trace_exit *t)
{
	t->exit = exit;
	t->rax = v->regs.r[GPR_RAX];
	t->rcx = v->regs.r[GPR_RCX];
	t->rdx = v->regs.r[GPR_RDX];
	v->trace_mmio.n = 0;
}

void trace_mmio_access(struct vcpu *v, struct device *d, uint64_t gpa,
		       unsigned size, uint64_t val, bool write)
{
	struct trace_mmio *m = &v->trace_mmio;
	if (m->n++)
		return;
	m->dev = d->decl->name;
	m->gpa = gpa;
	m->val = val;
	m->size = size;
	m->write = write;
}

/* The device that owns a port, as devices/bus.c finds it. */
static const char *pio_owner(struct vm *vm, uint16_t port)
{
	for (unsigned i = 0; i < vm->ndevices; i++) {
		const struct pio_range *r = vm->devices[i]->decl->pio;
		for (unsigned k = 0; k < DEVICE_MAX_PIO && r[k].len; k++)
			if (port >= r[k].base && port - r[k].base < r[k].len)
				return vm->devices[i]->decl->name;
	}
	return "unowned";
}

/* IOIO (15.10.2): EXITINFO1 has the port, size, direction and string bits. */
static void ioio(struct line *l, struct vcpu *v, const struct trace_exit *t)
{
	struct ioio io = ioio_decode(t->exit->info1);
	const char *owner = pio_owner(v->vm, io.port);
	if (io.string) {
		static const char sfx[5] = { '?', 'b', 'w', '?', 'd' };
		add(l, "IOIO %s%c 0x%x%s", io.in ? "ins" : "outs",
		    sfx[io.size <= 4 ? io.size : 0], io.port, io.rep ? " rep" : "");
		if (io.rep)
			add(l, " rcx=0x%lx", t->rcx);
		add(l, " %s %s", io.in ? "<-" : "->", owner);
		return;
	}
	const char *reg = io.size == 4 ? "eax" : io.size == 2 ? "ax" : "al";
	uint64_t mask = io.size == 4 ? 0xffffffffull : io.size == 2 ? 0xffff : 0xff;
	uint64_t val = (io.in ? v->regs.r[GPR_RAX] : t->rax) & mask;
	add(l, "IOIO %s 0x%x %s=0x%lx", io.in ? "in" : "out", io.port, reg, val);
	if (io.size == 1 && val >= 0x20 && val < 0x7f)
		add(l, " '%c'", (char)val);
	add(l, " %s %s", io.in ? "<-" : "->", owner);
}

/* #NPF (15.25.6): EXITINFO2 is the GPA, EXITINFO1 a #PF error code. */
static void npf(struct line *l, struct vcpu *v, const struct trace_exit *t)
{
	const struct trace_mmio *m = &v->trace_mmio;
	if (!m->n) {
		add(l, "NPF %s gpa 0x%lx exitinfo1=0x%lx rip=0x%lx",
		    (t->exit->info1 & 2) ? "write" : "read", t->exit->info2,
		    t->exit->info1, t->exit->rip);
		return;
	}
	add(l, "NPF %s gpa 0x%lx (%s) %s 0x%lx", m->write ? "write" : "read",
	    m->gpa, m->dev, m->write ? "<-" : "->", m->val);
	if (m->n > 1)
		add(l, " (+%u more accesses)", m->n - 1);
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

/* The exception the handler queued, if any (EVENTINJ, 15.20). */
static int injected(struct vcpu *v, const struct trace_exit *t)
{
	uint64_t e = v->vmcb->control.eventinj;
	uint64_t again = t->exit->intinfo & EVENT_VALID ? t->exit->intinfo : 0;	/* re-injected */
	if (!(e & EVENT_VALID) || e == again || (e & (7u << 8)) != EVENT_TYPE_EXC)
		return -1;
	return (int)(e & 0xff);
}

static void exception(struct line *l, int vec)
{
	if (vec == 6)
		add(l, "#UD");
	else if (vec == 13)
		add(l, "#GP");
	else if (vec == 14)
		add(l, "#PF");
	else
		add(l, "exception %d", vec);
}

/* RDMSR/WRMSR (15.11): EXITINFO1 0 read, 1 write; ECX the MSR. */
static void msr(struct line *l, struct vcpu *v, const struct trace_exit *t)
{
	uint32_t msr = (uint32_t)t->rcx;
	bool write = t->exit->info1 == 1;
	const char *name = msr_name(msr);
	add(l, "MSR %s 0x%x", write ? "wrmsr" : "rdmsr", msr);
	if (name)
		add(l, " (%s)", name);
	int vec = injected(v, t);
	if (vec >= 0) {
		add(l, " -> ");
		exception(l, vec);
	} else if (write) {
		add(l, " <- 0x%lx", (t->rdx << 32) | (uint32_t)t->rax);
	} else {
		add(l, " -> 0x%lx", (v->regs.r[GPR_RDX] << 32) |
		    (uint32_t)v->regs.r[GPR_RAX]);
	}
}

void trace_end(struct vcpu *v, const struct trace_exit *t, uint64_t cycles)
{
	struct line l = { .len = 0 };
	add(&l, "yakvm: trace %s/%u ", v->vm->name, v->id);
	const uint64_t *r = v->regs.r;
	switch (t->exit->code) {
	case VMEXIT_IOIO:
		ioio(&l, v, t);
		break;
	case VMEXIT_NPF:
		npf(&l, v, t);
		break;
	case VMEXIT_MSR:
		msr(&l, v, t);
		break;
	case VMEXIT_CPUID:
		add(&l, "CPUID 0x%x", (uint32_t)t->rax);
		if ((uint32_t)t->rcx)
			add(&l, " sub 0x%x", (uint32_t)t->rcx);
		add(&l, " -> eax=0x%x ebx=0x%x ecx=0x%x edx=0x%x",
		    (uint32_t)r[GPR_RAX], (uint32_t)r[GPR_RBX],
		    (uint32_t)r[GPR_RCX], (uint32_t)r[GPR_RDX]);
		break;
	case VMEXIT_HLT:
	case VMEXIT_INTR:
	case VMEXIT_VINTR:
	case VMEXIT_IRET:
		add(&l, "%s", svm_exit_name(t->exit->code));
		break;
	case VMEXIT_SHUTDOWN:
		add(&l, "SHUTDOWN (triple fault)");
		break;
	case VMEXIT_VMMCALL:
		add(&l, "VMMCALL rax=0x%lx", t->rax);
		break;
	default:
		add(&l, "%s exitcode=0x%lx exitinfo1=0x%lx exitinfo2=0x%lx rip=0x%lx",
		    svm_exit_name(t->exit->code), t->exit->code, t->exit->info1,
		    t->exit->info2, t->exit->rip);
		break;
	}
	if (t->exit->code != VMEXIT_MSR) {
		int vec = injected(v, t);
		if (vec >= 0) {
			add(&l, " (injects ");
			exception(&l, vec);
			add(&l, ")");
		}
	}
	add(&l, ", %lu cycles\n", cycles);
	kprintf("%s", l.buf);
}
