/*
 * core/diag/trace.c - one line per #VMEXIT for VMs with trace=1 (core/diag/trace.h).
 * The line is "yakvm: trace VM/N ", the exit table's formatter for the exit
 * code (arch/x86/svm/exit.c), the exception the handler injected, and the
 * handler's cycles; the formats are listed in docs/exits.md.
 */
#include "core/diag/trace.h"
#include "core/diag/exit_ring.h"
#include "core/run/vcpu.h"
#include "core/vm/vm.h"
#include "lib/log.h"
#include "devices/device.h"
#include "lib/format.h"

void trace_add(struct trace_line *l, const char *fmt, ...)
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

void trace_begin(struct vcpu *v, const struct exit_record *rec, const char *name,
		 trace_fmt_t fmt, struct trace_exit *t)
{
	t->rec = rec;
	t->name = name;
	t->fmt = fmt ? fmt : trace_fmt_generic;
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
const char *trace_pio_owner(struct vm *vm, uint16_t port)
{
	for (unsigned i = 0; i < vm->ndevices; i++) {
		const struct pio_range *r = vm->devices[i]->decl->pio;
		for (unsigned k = 0; k < DEVICE_MAX_PIO && r[k].len; k++)
			if (port >= r[k].base && port - r[k].base < r[k].len)
				return vm->devices[i]->decl->name;
	}
	return "unowned";
}

int trace_injected(const struct trace_exit *t)
{
	uint64_t e = t->rec->inject;
	uint64_t intinfo = t->rec->info.intinfo;
	uint64_t again = intinfo & EXIT_EVENT_VALID ? intinfo : 0;	/* re-injected */
	if (!(e & EXIT_EVENT_VALID) || e == again ||
	    (e & EXIT_EVENT_TYPE_MASK) != EXIT_EVENT_TYPE_EXC)
		return -1;
	return (int)(e & 0xff);
}

void trace_exception(struct trace_line *l, int vec)
{
	if (vec == 6)
		trace_add(l, "#UD");
	else if (vec == 13)
		trace_add(l, "#GP");
	else if (vec == 14)
		trace_add(l, "#PF");
	else
		trace_add(l, "exception %d", vec);
}

bool trace_fmt_generic(struct trace_line *l, struct vcpu *v, const struct trace_exit *t)
{
	const struct exit_info *e = &t->rec->info;
	trace_add(l, "%s exitcode=0x%lx exitinfo1=0x%lx exitinfo2=0x%lx rip=0x%lx",
		  t->name, e->code, e->info1, e->info2, e->rip);
	return false;
}

bool trace_fmt_name(struct trace_line *l, struct vcpu *v, const struct trace_exit *t)
{
	trace_add(l, "%s", t->name);
	return false;
}

bool trace_fmt_rax(struct trace_line *l, struct vcpu *v, const struct trace_exit *t)
{
	trace_add(l, "%s rax=0x%lx", t->name, t->rax);
	return false;
}

bool trace_fmt_cpuid(struct trace_line *l, struct vcpu *v, const struct trace_exit *t)
{
	const uint64_t *r = v->regs.r;
	trace_add(l, "%s 0x%x", t->name, (uint32_t)t->rax);
	if ((uint32_t)t->rcx)
		trace_add(l, " sub 0x%x", (uint32_t)t->rcx);
	trace_add(l, " -> eax=0x%x ebx=0x%x ecx=0x%x edx=0x%x",
		  (uint32_t)r[GPR_RAX], (uint32_t)r[GPR_RBX],
		  (uint32_t)r[GPR_RCX], (uint32_t)r[GPR_RDX]);
	return false;
}

bool trace_fmt_triple_fault(struct trace_line *l, struct vcpu *v, const struct trace_exit *t)
{
	trace_add(l, "%s (triple fault)", t->name);
	return false;
}

void trace_end(struct vcpu *v, const struct trace_exit *t, uint64_t cycles)
{
	struct trace_line l = { .len = 0 };
	trace_add(&l, "yakvm: trace %s/%u ", v->vm->name, v->id);
	if (!t->fmt(&l, v, t)) {
		int vec = trace_injected(t);
		if (vec >= 0) {
			trace_add(&l, " (injects ");
			trace_exception(&l, vec);
			trace_add(&l, ")");
		}
	}
	trace_add(&l, ", %lu cycles\n", cycles);
	kprintf("%s", l.buf);
}
