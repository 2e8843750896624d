/*
 * core/gdb/gdbstub.c - the GDB remote stub of a VM (see gdbstub.h). Packets and
 * their answers follow the GDB manual's "Remote Protocol" appendix
 * ("Packets", "Stop Reply Packets", "General Query Packets").
 *
 * States: STOPPED (every vCPU held; gdb's packets are answered), RUNNING
 * (the vCPUs run; gdb waits for a stop reply, or no gdb is there yet),
 * GONE (the VM ended or gdb killed it). A stop asked for while RUNNING
 * (a breakpoint, a step, Ctrl-C) sets stop_pending and holds the VM; the
 * poll finishes it once no vCPU of the VM is on a CPU any more.
 */
#include "core/gdb/gdbstub.h"
#include "core/gdb/gdb_rsp.h"
#include "core/gdb/gdb_regs.h"
#include "core/gdb/gdb_mem.h"
#include "core/gdb/gdb_break.h"
#include "core/run/vcpu.h"
#include "core/vm/vm.h"
#include "core/run/timer.h"
#include "lib/log.h"
#include "arch/x86/serial.h"
#include "arch/x86/cpu.h"
#include "lib/spinlock.h"
#include "lib/format.h"
#include "lib/string.h"

#define GDB_STUBS 4
#define POLL_NS   1000000ull	/* 1 ms: about 12 bytes at 115200 baud */
#define SIGINT    2
#define SIGTRAP   5

enum gdb_state { GDB_STOPPED, GDB_RUNNING, GDB_GONE };

struct gdbstub {
	struct vm *vm;
	uint16_t port;
	struct spinlock lock;       /* state and the stop fields */
	bool tx_busy;               /* the UART's transmit side is taken */
	volatile enum gdb_state state;
	bool stop_pending;          /* held; report once all vCPUs are off */
	bool report;                /* send a stop reply then (gdb waits) */
	int stop_sig;
	unsigned stop_vcpu;
	char stop_extra[40];
	int g_thread, c_thread;     /* Hg, Hc: a vCPU index, or -1: any */
	bool x86_64;                /* the register layout gdb was told */
	struct gdb_breaks bp;
	struct rsp_rx rx;
	bool deferred;              /* a packet that came while running */
	char deferred_buf[RSP_PACKET_MAX + 1];
	char reply[RSP_PACKET_MAX + 1];
	char frame[2 * RSP_PACKET_MAX + 8];
	uint8_t data[RSP_PACKET_MAX / 2];
	struct vtimer poll;
};

static struct gdbstub stubs[GDB_STUBS];
static unsigned nstubs;

/* ---- sending --------------------------------------------------------- */

/* One sender at a time (the poll, or a vCPU telling gdb its VM ended), with
 * interrupts on: a reply takes up to 90 ms at 115200 baud on real
 * hardware. Never called from an interrupt handler. */
static void send_raw(struct gdbstub *g, const char *s, size_t n)
{
	while (__atomic_exchange_n(&g->tx_busy, true, __ATOMIC_ACQUIRE))
		cpu_relax();
	for (size_t i = 0; i < n; i++)
		uart_putc(g->port, s[i]);
	__atomic_store_n(&g->tx_busy, false, __ATOMIC_RELEASE);
}

static void send_packet(struct gdbstub *g, const char *payload)
{
	size_t n = rsp_frame(g->frame, sizeof(g->frame), payload, strlen(payload));
	send_raw(g, g->frame, n);
}

static void send_stop_reply(struct gdbstub *g)
{
	char r[80];
	snprintf(r, sizeof(r), "T%02xthread:%x;%s", g->stop_sig, g->stop_vcpu + 1,
		 g->stop_extra);
	send_packet(g, r);
}

/* 'W' with the exit status of a VM that ended by itself, 'X' (signal 9,
 * SIGKILL) for one yakvm stopped. */
static void send_end_reply(struct gdbstub *g)
{
	char r[8];
	int st = g->vm->exit_status;
	if (st >= 0)
		snprintf(r, sizeof(r), "W%02x", st & 0xff);
	else
		snprintf(r, sizeof(r), "X09");
	send_packet(g, r);
}

/* ---- stopping and resuming ------------------------------------------ */

static struct gdbstub *stub_of(struct vm *vm) { return vm->gdb; }

static bool request_stop(struct gdbstub *g, unsigned vcpu, int sig, const char *extra,
			 bool report)
{
	uint64_t f = spin_lock(&g->lock);
	bool first = g->state == GDB_RUNNING && !g->stop_pending;
	if (first) {
		g->stop_pending = true;
		g->report = report;
		g->stop_vcpu = vcpu;
		g->stop_sig = sig;
		strlcpy(g->stop_extra, extra, sizeof(g->stop_extra));
	}
	spin_unlock(&g->lock, f);
	if (first)
		vm_pause_bit(g->vm, VM_PAUSE_GDB, true);
	return first;
}

void gdbstub_stop(struct vcpu *v, int sig, const char *extra)
{
	request_stop(stub_of(v->vm), v->id, sig, extra, true);
}

/* The step's TF was yakvm's: the guest's own comes back. */
void gdbstub_end_step(struct vcpu *v)
{
	vendor_set_rflags(v, (vendor_rflags(v) & ~(uint64_t)RFLAGS_TF) |
			     (v->dbg.guest_tf ? RFLAGS_TF : 0));
	v->dbg.step = false;
}

void gdbstub_step_done(struct vcpu *v)
{
	gdbstub_end_step(v);
	gdbstub_stop(v, SIGTRAP, "");
}

void gdbstub_step_check(struct vcpu *v)
{
	if (vendor_rip(v) != v->dbg.step_rip || v->state != VCPU_RUNNABLE)
		gdbstub_step_done(v);
}

static void handle_packet(struct gdbstub *g, char *p);

/* Every vCPU has left its CPU: the stop is complete. */
static void finish_stop(struct gdbstub *g)
{
	if (!g->stop_pending || !vm_vcpus_off_cpu(g->vm))
		return;
	uint64_t f = spin_lock(&g->lock);
	bool mine = g->stop_pending && g->state == GDB_RUNNING;
	g->stop_pending = false;
	if (mine)
		g->state = GDB_STOPPED;
	spin_unlock(&g->lock, f);
	if (!mine)
		return;
	vm_pause_bit(g->vm, VM_PAUSE_GDB_STEP, false);
	for (unsigned i = 0; i < g->vm->nvcpus; i++)
		if (g->vm->vcpus[i]->dbg.step)	/* stopped by another vCPU, or Ctrl-C */
			gdbstub_end_step(g->vm->vcpus[i]);
	if (g->report)
		send_stop_reply(g);
	if (g->deferred) {
		g->deferred = false;
		handle_packet(g, g->deferred_buf);
	}
}

static struct vcpu *thread_vcpu(struct gdbstub *g, int t)
{
	unsigned i = t >= 0 && (unsigned)t < g->vm->nvcpus ? (unsigned)t : g->stop_vcpu;
	return g->vm->vcpus[i];
}

/* 'c' and 's': the VM runs again; for a step only the Hc vCPU, with TF. */
static void resume(struct gdbstub *g, bool step)
{
	struct vm *vm = g->vm;
	if (vm->state != VM_RUNNING) {
		g->state = GDB_GONE;
		send_end_reply(g);
		return;
	}
	struct vcpu *v = thread_vcpu(g, g->c_thread);
	if (step && v->state != VCPU_RUNNABLE) {
		/* Halted or waiting for a SIPI: it executes nothing until an
		 * interrupt, which a step does not deliver. */
		g->stop_vcpu = v->id;
		g->stop_sig = SIGTRAP;
		g->stop_extra[0] = '\0';
		send_stop_reply(g);
		return;
	}
	uint64_t f = spin_lock(&g->lock);
	g->state = GDB_RUNNING;
	spin_unlock(&g->lock, f);
	if (step) {
		v->dbg.step_rip = vendor_rip(v);
		v->dbg.guest_tf = (vendor_rflags(v) & RFLAGS_TF) != 0;
		/* TF: a #DB after one instruction (APM vol. 2, 13.1). */
		vendor_set_rflags(v, vendor_rflags(v) | RFLAGS_TF);
		v->dbg.step = true;
		vm_pause_bit(vm, VM_PAUSE_GDB_STEP, true);
	}
	vm_pause_bit(vm, VM_PAUSE_GDB, false);
}

static void release_debug_regs(struct gdbstub *g)
{
	for (unsigned i = 0; i < g->vm->nvcpus; i++)
		g->vm->vcpus[i]->dbg.dr_dirty = true;
}

/* ---- packets ---------------------------------------------------------- */

static void reply(struct gdbstub *g, const char *s) { send_packet(g, s); }

static void reply_error(struct gdbstub *g, int e)
{
	char r[4];
	snprintf(r, sizeof(r), "E%02x", e);
	reply(g, r);
}

/* A thread id: hex, "0" (any) or "-1" (all); returns a vCPU index or -1. */
static bool parse_thread(struct gdbstub *g, const char *p, int *vcpu)
{
	uint64_t t;
	if (p[0] == '-' && p[1] == '1') {
		*vcpu = -1;
		return true;
	}
	if (!rsp_parse_hex(&p, &t) || t > g->vm->nvcpus)
		return false;
	*vcpu = (int)t - 1;	/* 0 → -1 (any) */
	return true;
}

static void cmd_regs_read(struct gdbstub *g)
{
	struct vcpu *v = thread_vcpu(g, g->g_thread);
	size_t n = gdb_regs_read(v, g->x86_64, g->data);
	rsp_hex_encode(g->reply, g->data, n);
	reply(g, g->reply);
}

static void cmd_regs_write(struct gdbstub *g, const char *p)
{
	struct vcpu *v = thread_vcpu(g, g->g_thread);
	size_t off = 0;
	for (unsigned n = 0; n < gdb_regs_count(g->x86_64); n++) {
		unsigned size = gdb_reg_size(g->x86_64, n);
		uint8_t val[8];
		if (strlen(p + 2 * off) < 2 * size || !rsp_hex_decode(p + 2 * off, val, size))
			break;
		gdb_reg_write(v, g->x86_64, n, val);	/* a changed selector is ignored */
		off += size;
	}
	reply(g, "OK");
}

static void cmd_reg_write(struct gdbstub *g, const char *p)
{
	uint64_t n;
	uint8_t val[8];
	if (!rsp_parse_hex(&p, &n) || *p++ != '=' || n >= gdb_regs_count(g->x86_64) ||
	    strlen(p) != 2 * gdb_reg_size(g->x86_64, (unsigned)n) ||
	    !rsp_hex_decode(p, val, gdb_reg_size(g->x86_64, (unsigned)n)) ||
	    !gdb_reg_write(thread_vcpu(g, g->g_thread), g->x86_64, (unsigned)n, val)) {
		reply_error(g, 1);
		return;
	}
	reply(g, "OK");
}

/* "ADDR,LEN" then the rest at *p. */
static bool parse_range(const char **p, uint64_t *addr, uint64_t *len)
{
	return rsp_parse_hex(p, addr) && *(*p)++ == ',' && rsp_parse_hex(p, len);
}

static void cmd_mem_read(struct gdbstub *g, const char *p)
{
	uint64_t addr, len;
	struct vcpu *v = thread_vcpu(g, g->g_thread);
	if (!parse_range(&p, &addr, &len) || len > sizeof(g->data) ||
	    !gdb_mem_read(v, addr, g->data, len)) {
		reply_error(g, 14);	/* EFAULT */
		return;
	}
	gdb_sw_hide(&g->bp, addr, g->data, len);
	rsp_hex_encode(g->reply, g->data, len);
	reply(g, g->reply);
}

static void cmd_mem_write(struct gdbstub *g, const char *p)
{
	uint64_t addr, len;
	struct vcpu *v = thread_vcpu(g, g->g_thread);
	if (!parse_range(&p, &addr, &len) || *p++ != ':' || len > sizeof(g->data) ||
	    strlen(p) != 2 * len || !rsp_hex_decode(p, g->data, len)) {
		reply_error(g, 22);	/* EINVAL */
		return;
	}
	gdb_sw_write_through(&g->bp, addr, g->data, len);
	if (!gdb_mem_write(v, addr, g->data, len)) {
		reply_error(g, 14);
		return;
	}
	reply(g, "OK");
}

/* Z/z TYPE,ADDR,KIND: breakpoints and watchpoints (gdb_break.h). */
static void cmd_break(struct gdbstub *g, const char *p, bool insert)
{
	uint64_t type, addr, kind;
	if (!rsp_parse_hex(&p, &type) || *p++ != ',' || !parse_range(&p, &addr, &kind)) {
		reply_error(g, 22);
		return;
	}
	bool ok;
	if (type == GDB_BP_SW)
		ok = insert ? gdb_sw_insert(&g->bp, thread_vcpu(g, g->g_thread), addr)
			    : gdb_sw_remove(&g->bp, g->vm, addr);
	else if (type == GDB_BP_HW || type == GDB_WP_WRITE || type == GDB_WP_ACCESS) {
		ok = insert ? gdb_hw_insert(&g->bp, type, addr, kind)
			    : gdb_hw_remove(&g->bp, type, addr, kind);
		release_debug_regs(g);	/* each vCPU loads the new set */
	} else {
		reply(g, "");	/* read watchpoints: x86 has none */
		return;
	}
	if (ok)
		reply(g, "OK");
	else
		reply_error(g, 28);	/* ENOSPC, or not a debug-register size */
}

static const char target_xml_i386[] =
	"<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
	"<target><architecture>i386</architecture></target>";
static const char target_xml_x86_64[] =
	"<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
	"<target><architecture>i386:x86-64</architecture></target>";

/* qXfer:features:read:target.xml:OFFSET,LENGTH → 'm' (more) or 'l' (last). */
static void cmd_target_xml(struct gdbstub *g, const char *p)
{
	uint64_t off, len;
	const char *xml = g->x86_64 ? target_xml_x86_64 : target_xml_i386;
	size_t total = strlen(xml);
	if (!parse_range(&p, &off, &len) || off > total) {
		reply_error(g, 22);
		return;
	}
	if (len > sizeof(g->reply) - 2)
		len = sizeof(g->reply) - 2;
	size_t n = total - off < len ? total - off : len;
	g->reply[0] = off + n < total ? 'm' : 'l';
	memcpy(g->reply + 1, xml + off, n);
	g->reply[n + 1] = '\0';
	reply(g, g->reply);
}

static void cmd_thread_info(struct gdbstub *g)
{
	size_t o = 0;
	g->reply[o++] = 'm';
	for (unsigned i = 0; i < g->vm->nvcpus; i++)
		o += (size_t)snprintf(g->reply + o, sizeof(g->reply) - o, "%s%x",
				      i ? "," : "", i + 1);
	reply(g, g->reply);
}

static void cmd_thread_extra(struct gdbstub *g, const char *p)
{
	int t;
	if (!parse_thread(g, p, &t) || t < 0) {
		reply_error(g, 22);
		return;
	}
	struct vcpu *v = g->vm->vcpus[t];
	static const char *const states[] = {
		[VCPU_RUNNABLE] = "runnable", [VCPU_HALTED] = "halted",
		[VCPU_WAIT_SIPI] = "waiting for SIPI", [VCPU_STOPPED] = "stopped",
	};
	char text[48];
	snprintf(text, sizeof(text), "vCPU %u, %s", v->id, states[v->state]);
	rsp_hex_encode(g->reply, text, strlen(text));
	reply(g, g->reply);
}

static bool starts(const char *p, const char *word)
{
	return strncmp(p, word, strlen(word)) == 0;
}

static void cmd_query(struct gdbstub *g, const char *p)
{
	char r[80];
	if (starts(p, "qSupported")) {
		/* A new gdb: the layout follows the boot vCPU's mode now. */
		g->x86_64 = (vendor_efer(g->vm->vcpus[0]) & EFER_LMA) != 0;
		snprintf(r, sizeof(r), "PacketSize=%x;qXfer:features:read+;swbreak+;hwbreak+",
			 RSP_PACKET_MAX);
		reply(g, r);
	} else if (starts(p, "qXfer:features:read:target.xml:")) {
		cmd_target_xml(g, p + strlen("qXfer:features:read:target.xml:"));
	} else if (starts(p, "qAttached")) {
		reply(g, "1");	/* detaching leaves the VM running */
	} else if (starts(p, "qfThreadInfo")) {
		cmd_thread_info(g);
	} else if (starts(p, "qsThreadInfo")) {
		reply(g, "l");
	} else if (starts(p, "qThreadExtraInfo,")) {
		cmd_thread_extra(g, p + strlen("qThreadExtraInfo,"));
	} else if (starts(p, "qC")) {
		snprintf(r, sizeof(r), "QC%x", g->stop_vcpu + 1);
		reply(g, r);
	} else {
		reply(g, "");	/* not supported */
	}
}

static void cmd_detach(struct gdbstub *g)
{
	gdb_sw_remove_all(&g->bp, g->vm);
	gdb_hw_remove_all(&g->bp);
	release_debug_regs(g);
	g->g_thread = g->c_thread = -1;
	reply(g, "OK");
	log_info("vm %s: gdb detached; the VM runs on", g->vm->name);
	resume(g, false);
}

static void cmd_kill(struct gdbstub *g)
{
	g->state = GDB_GONE;	/* no end reply: gdb does not wait for one */
	vm_stop(g->vm, NULL, "killed by gdb");
}

static void handle_packet(struct gdbstub *g, char *p)
{
	int t;
	if (g->state == GDB_GONE && (*p == '?' || *p == 'c' || *p == 's')) {
		send_end_reply(g);
		return;
	}
	switch (*p) {
	case '?':
		send_stop_reply(g);
		return;
	case 'g':
		cmd_regs_read(g);
		return;
	case 'G':
		cmd_regs_write(g, p + 1);
		return;
	case 'P':
		cmd_reg_write(g, p + 1);
		return;
	case 'm':
		cmd_mem_read(g, p + 1);
		return;
	case 'M':
		cmd_mem_write(g, p + 1);
		return;
	case 'Z':
	case 'z':
		cmd_break(g, p + 1, *p == 'Z');
		return;
	case 'c':
	case 's': {
		uint64_t addr;
		const char *a = p + 1;
		if (rsp_parse_hex(&a, &addr))
			vendor_set_rip(thread_vcpu(g, g->c_thread), addr);
		resume(g, *p == 's');
		return;
	}
	case 'H':
		if ((p[1] == 'g' || p[1] == 'c') && parse_thread(g, p + 2, &t)) {
			*(p[1] == 'g' ? &g->g_thread : &g->c_thread) = t;
			reply(g, "OK");
		} else {
			reply_error(g, 22);
		}
		return;
	case 'T':
		reply(g, parse_thread(g, p + 1, &t) && t >= 0 ? "OK" : "E01");
		return;
	case 'D':
		cmd_detach(g);
		return;
	case 'k':
		cmd_kill(g);
		return;
	case 'q':
		cmd_query(g, p);
		return;
	default:
		reply(g, "");	/* p, X, vCont, ...: gdb uses the others */
		return;
	}
}

/* ---- the UART --------------------------------------------------------- */

static void take_byte(struct gdbstub *g, uint8_t c)
{
	switch (rsp_rx_byte(&g->rx, c)) {
	case RSP_PACKET:
		send_raw(g, "+", 1);
		if (g->state != GDB_RUNNING && !g->stop_pending) {
			handle_packet(g, g->rx.buf);
			return;
		}
		/* gdb attaching to a running VM (",nowait"): stop it first. */
		memcpy(g->deferred_buf, g->rx.buf, g->rx.len + 1);
		g->deferred = true;
		request_stop(g, g->stop_vcpu, SIGTRAP, "", false);
		return;
	case RSP_BAD:
		send_raw(g, "-", 1);
		return;
	case RSP_INTERRUPT:
		request_stop(g, g->c_thread >= 0 ? (unsigned)g->c_thread : g->stop_vcpu,
			     SIGINT, "", true);
		return;
	case RSP_NONE:
		return;
	}
}

static void poll(struct vtimer *t)
{
	struct gdbstub *g = t->data;
	for (int n = 0, c; n < 4096 && (c = uart_getc(g->port)) >= 0; n++)
		take_byte(g, (uint8_t)c);
	finish_stop(g);
	vtimer_arm(t, time_ns() + POLL_NS);
}

/* ---- the VM's side ---------------------------------------------------- */

bool gdbstub_attach_vm(struct vm *vm)
{
	uint16_t port = vm->desc.gdb_port;
	const char *taken = port == serial_port() ? "yakvm's console" : NULL;
	for (unsigned i = 0; i < nstubs && !taken; i++)
		if (stubs[i].port == port)
			taken = stubs[i].vm->name;
	if (!taken && nstubs == GDB_STUBS)
		taken = "the last free stub (4 at most)";
	if (taken) {
		log_error("vm %s: gdb=0x%x: the port is taken by %s; this VM runs "
			  "without gdb", vm->name, port, taken);
		return false;
	}
	struct gdbstub *g = &stubs[nstubs++];
	g->vm = vm;
	g->port = port;
	g->g_thread = g->c_thread = -1;
	g->stop_sig = SIGTRAP;
	g->state = vm->desc.gdb_nowait ? GDB_RUNNING : GDB_STOPPED;
	uart_init(port);
	vm->gdb = g;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		yakvm_vcpu_init_debug(vm->vcpus[i]);
	if (!vm->desc.gdb_nowait)
		vm->paused |= VM_PAUSE_GDB;	/* like qemu -S */
	g->poll.fire = poll;
	g->poll.data = g;
	vtimer_arm(&g->poll, time_ns() + POLL_NS);
	log_info("vm %s: gdb stub on port 0x%x%s", vm->name, port,
		 vm->desc.gdb_nowait ? "" : "; the VM waits for gdb to attach");
	return true;
}

bool gdbstub_sw_break_at(struct vm *vm, uint64_t la)
{
	return gdb_sw_at(&stub_of(vm)->bp, la);
}

unsigned gdbstub_hw_slots(struct vm *vm)
{
	unsigned mask = 0;
	for (unsigned i = 0; i < GDB_HW_SLOTS; i++)
		if (gdb_hw_slot(&stub_of(vm)->bp, i))
			mask |= 1u << i;
	return mask;
}

const struct gdb_hw_break *gdbstub_hw_slot_of(struct vm *vm, unsigned i)
{
	return gdb_hw_slot(&stub_of(vm)->bp, i);
}

void gdbstub_load_debug_regs(struct vcpu *v)
{
	gdb_hw_load(&stub_of(v->vm)->bp, v);
}

void gdbstub_vm_ended(struct vm *vm)
{
	struct gdbstub *g = stub_of(vm);
	uint64_t f = spin_lock(&g->lock);
	bool waiting = g->state == GDB_RUNNING;
	g->state = GDB_GONE;
	g->stop_pending = false;
	spin_unlock(&g->lock, f);
	if (waiting)
		send_end_reply(g);
}
