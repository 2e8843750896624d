/*
 * core/console/monitor.c - yakvm's own console: commands typed when the console's
 * focus is on "yakvm" (Ctrl-A three times, core/console/input.c). Each command and
 * its answer are printed as whole lines; a bad command or argument gets one
 * line starting "error:".
 */
#include "core/console/monitor.h"
#include "core/vm/vm.h"
#include "core/run/vcpu.h"
#include "core/diag/stats.h"
#include "devices/virtio/virtio_blk_vm.h"
#include "devices/virtio/virtio_net_vm.h"
#include "lib/log.h"
#include "core/run/timer.h"
#include "arch/x86/pcpu.h"
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "mm/pmm.h"
#include "lib/format.h"
#include "lib/string.h"
#include "lib/token.h"
#include "net/port.h"

#define LINE_MAX 80
#define TOP_PERIOD_NS 1000000000ull

static char line[LINE_MAX];
static unsigned len;
static struct vtimer top_timer;
static bool top_on;
static uint64_t top_last[STAT_NCLASSES], top_last_ns;

static const char *state_name(const struct vm *vm)
{
	if (vm->destroyed)
		return "destroyed";
	if (vm->destroying)
		return "destroying";
	if (vm->state == VM_STOPPED)
		return vm->exit_status >= 0 ? "ended" : "stopped";
	if (vm->state != VM_RUNNING)
		return "starting";
	if (vm->resetting || vm->reset_requested)
		return "resetting";
	if (vm->paused & VM_PAUSE_MONITOR)
		return "paused";
	return vm->paused ? "stopped for gdb" : "running";
}

/* A VM by name or by its number in `list`. */
static struct vm *find(const struct token *t)
{
	if (!t->len)
		return NULL;
	unsigned n = 0;
	bool number = true;
	for (size_t i = 0; i < t->len; i++) {
		if (t->s[i] < '0' || t->s[i] > '9')
			number = false;
		else
			n = n * 10 + (unsigned)(t->s[i] - '0');
	}
	if (number && t->len < 4)
		return n < vm_count ? vms[n] : NULL;
	for (unsigned i = 0; i < vm_count; i++)
		if (token_is(t->s, t->len, vms[i]->name))
			return vms[i];
	return NULL;
}

static uint64_t total_exits(struct vm *vm)
{
	struct exit_stat sum[STAT_NCLASSES];
	stats_sum_vm(vm, sum);
	uint64_t n = 0;
	for (unsigned c = 0; c < STAT_NCLASSES; c++)
		n += sum[c].count;
	return n;
}

static void cmd_list(void)
{
	kprintf("  #  name             state      vcpus  memory  uptime  exits/s\n");
	for (unsigned i = 0; i < vm_count; i++) {
		struct vm *vm = vms[i];
		uint64_t up_ms = vm->start_us ? (time_us() - vm->start_us) / 1000 : 0;
		if (vm->state == VM_STOPPED)
			up_ms = vm->end_us > vm->start_us ? (vm->end_us - vm->start_us) / 1000 : 0;
		uint64_t rate = up_ms ? total_exits(vm) * 1000 / up_ms : 0;
		kprintf("  %-2u %-16s %-10s %5u %6luM %6lus %8lu\n", i, vm->name,
			state_name(vm), vm->desc.vcpus, vm->desc.mem >> 20, up_ms / 1000, rate);
	}
}

static void top_sample(uint64_t cur[STAT_NCLASSES])
{
	memset(cur, 0, STAT_NCLASSES * sizeof(cur[0]));
	for (unsigned i = 0; i < vm_count; i++) {
		struct exit_stat sum[STAT_NCLASSES];
		stats_sum_vm(vms[i], sum);
		for (unsigned c = 0; c < STAT_NCLASSES; c++)
			cur[c] += sum[c].count;
	}
}

/* Once a second: the exits of the last second, by reason. */
static void top_print(struct vtimer *t)
{
	uint64_t now = time_ns(), cur[STAT_NCLASSES];
	top_sample(cur);
	uint64_t dt_ms = (now - top_last_ns) / 1000000;
	char buf[256];
	size_t n = (size_t)snprintf(buf, sizeof(buf), "top:");
	for (unsigned c = 0; c < STAT_NCLASSES && n < sizeof(buf); c++)
		if (cur[c] != top_last[c])
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, " %s=%lu/s",
					      stat_class_names[c],
					      dt_ms ? (cur[c] - top_last[c]) * 1000 / dt_ms : 0);
	kprintf("%s\n", buf);
	memcpy(top_last, cur, sizeof(top_last));
	top_last_ns = now;
	if (top_on)
		vtimer_arm(t, now + TOP_PERIOD_NS);
}

static void cmd_top(void)
{
	kprintf("top: exits per second, all VMs, every second (any key stops)\n");
	top_sample(top_last);
	top_last_ns = time_ns();
	top_on = true;
	top_timer.fire = top_print;
	vtimer_arm(&top_timer, top_last_ns + TOP_PERIOD_NS);
}

static void cmd_info(struct vm *vm)
{
	kprintf("  vm %s: %s, %u vCPUs, %lu MiB, %u resets; console: %lu lines, %lu dropped\n",
		vm->name, state_name(vm), vm->nvcpus, vm->desc.mem >> 20, vm->resets,
		vm->console.ring.written, vm->console.ring.dropped);
	kprintf("  vm %s: its device timers fired %lu times\n", vm->name,
		__atomic_load_n(&vm->timer_fires, __ATOMIC_RELAXED));
	virtio_blk_vm_print(vm);
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = vm->vcpus[i];
		const uint64_t *r = v->regs.r;
		kprintf("  vcpu %u: %s, on CPU %u, ASID %u, %lu exits\n", i,
			v->state == VCPU_RUNNABLE ? "runnable" : v->state == VCPU_HALTED ? "halted" :
			v->state == VCPU_WAIT_SIPI ? "waiting for SIPI" : "stopped",
			v->home ? v->home->id : 0, vendor_asid(v), v->exits);
		kprintf("    rip=%016lx rsp=%016lx rflags=%08lx cpl=%u\n",
			vendor_rip(v), r[GPR_RSP], vendor_rflags(v), vendor_cpl(v));
		kprintf("    rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n",
			r[GPR_RAX], r[GPR_RBX], r[GPR_RCX], r[GPR_RDX]);
		kprintf("    rsi=%016lx rdi=%016lx rbp=%016lx r8 =%016lx\n",
			r[GPR_RSI], r[GPR_RDI], r[GPR_RBP], r[GPR_R8]);
		vendor_print_state(v);	/* control registers, CS, last exit, events */
	}
}

static void cmd_mem(void)
{
	uint64_t total = pmm_total_bytes(), free_b = pmm_free_bytes();
	kprintf("  host memory: %lu MiB used, %lu MiB free, %lu MiB in all; %lu pages free\n",
		(total - free_b) >> 20, free_b >> 20, total >> 20, free_b / PAGE_SIZE);
}

/* The switch's ports and their counters (net/port.h). */
static void cmd_net(void)
{
	static struct net_port ports[NET_PORTS_MAX];	/* the monitor runs on one CPU */
	unsigned n = net_switch_snapshot(ports, NET_PORTS_MAX);
	char line[192];
	kprintf("  net: %u port%s on the switch\n", n, n == 1 ? "" : "s");
	for (unsigned i = 0; i < n; i++)
		for (unsigned k = 0; net_port_format_line(&ports[i], k, line, sizeof(line)); k++)
			kprintf("  net %s\n", line);
}

/* One kprintf per line: kprintf formats into 512 bytes, and the whole
 * list is longer (it once cut "mem", "net" and "help" off). */
static const char *const help_lines[] = {
	"  list              the VMs: state, vCPUs, memory, uptime, exits/s",
	"  top               exits per second by reason, every second (a key stops it)",
	"  info vm N         registers, VMCB fields and events of VM N (number or name)",
	"  stats N           VM N's exits so far by reason, as printed when it ends",
	"  pause N | resume N | reset N | destroy N (destroy answers \"destroying\",",
	"                    then \"destroyed\" once all of the VM's work is over)",
	"  trace on|off N    print every exit of VM N",
	"  mem               host memory",
	"  net               the switch's ports: frames, bytes, drops, links",
	"  link N up|down    VM N's network cable in or out (its driver sees the link)",
	"  help              this list",
};

static void help(void)
{
	for (unsigned i = 0; i < sizeof(help_lines) / sizeof(help_lines[0]); i++)
		kprintf("%s\n", help_lines[i]);
}

/* For "trace on|off N" and "link N up|down": the VM `name` names, and
 * whether `word` is `yes` (else it must be `no`); NULL after one error
 * line. */
static struct vm *vm_and_choice(const struct token *name, const struct token *word,
				const struct token *extra, const char *yes, const char *no,
				const char *usage, bool *is_yes)
{
	*is_yes = token_is(word->s, word->len, yes);
	if ((!*is_yes && !token_is(word->s, word->len, no)) || extra->len) {
		kprintf("error: usage: %s\n", usage);
		return NULL;
	}
	struct vm *vm = find(name);
	if (!vm)
		kprintf("error: no VM %.*s\n", (int)name->len, name->s);
	return vm;
}

static void run(void)
{
	const char *p = line;
	struct token cmd, a1 = { 0 }, a2 = { 0 }, extra = { 0 };
	if (!next_token(&p, &cmd))
		return;
	next_token(&p, &a1);
	next_token(&p, &a2);
	next_token(&p, &extra);
	if (token_is(cmd.s, cmd.len, "help") || token_is(cmd.s, cmd.len, "?")) {
		help();
	} else if (token_is(cmd.s, cmd.len, "list") && !a1.len) {
		cmd_list();
	} else if (token_is(cmd.s, cmd.len, "top") && !a1.len) {
		cmd_top();
	} else if (token_is(cmd.s, cmd.len, "mem") && !a1.len) {
		cmd_mem();
	} else if (token_is(cmd.s, cmd.len, "net") && !a1.len) {
		cmd_net();
	} else if (token_is(cmd.s, cmd.len, "link")) {
		bool up;
		struct vm *vm = vm_and_choice(&a1, &a2, &extra, "up", "down", "link N up|down", &up);
		if (!vm)
			return;
		if (vm->state != VM_RUNNING || vm->destroying)
			kprintf("error: vm %s is %s\n", vm->name, state_name(vm));
		else if (virtio_net_vm_set_link(vm, up) < 0)
			kprintf("error: vm %s has no network device\n", vm->name);
		else
			kprintf("  vm %s: link %s\n", vm->name, up ? "up" : "down");
	} else if (token_is(cmd.s, cmd.len, "info")) {
		struct vm *vm = find(&a2);
		if (!token_is(a1.s, a1.len, "vm") || extra.len)
			kprintf("error: usage: info vm N\n");
		else if (!vm)
			kprintf("error: no VM %.*s\n", (int)a2.len, a2.s);
		else
			cmd_info(vm);
	} else if (token_is(cmd.s, cmd.len, "stats")) {
		struct vm *vm = find(&a1);
		if (a2.len)
			kprintf("error: usage: stats N\n");
		else if (!vm)
			kprintf("error: no VM %.*s\n", (int)a1.len, a1.s);
		else
			stats_print_vm(vm);	/* core/diag/stats.c */
	} else if (token_is(cmd.s, cmd.len, "trace")) {
		bool on;
		struct vm *vm = vm_and_choice(&a2, &a1, &extra, "on", "off", "trace on|off N", &on);
		if (vm) {
			vm->desc.trace = on;
			kprintf("  vm %s: trace %s\n", vm->name, on ? "on" : "off");
		}
	} else if (token_is(cmd.s, cmd.len, "pause") || token_is(cmd.s, cmd.len, "resume") ||
		   token_is(cmd.s, cmd.len, "reset") || token_is(cmd.s, cmd.len, "destroy")) {
		struct vm *vm = find(&a1);
		if (a2.len)
			kprintf("error: usage: %.*s N\n", (int)cmd.len, cmd.s);
		else if (!vm)
			kprintf("error: no VM %.*s\n", (int)a1.len, a1.s);
		else if (cmd.s[0] == 'd') {
			/* A stopped VM too: its memory comes back. */
			if (vm_destroy(vm))
				kprintf("  vm %s: destroying\n", vm->name);
			else
				kprintf("error: vm %s is %s\n", vm->name, state_name(vm));
		} else if (vm->state != VM_RUNNING || vm->destroying)
			kprintf("error: vm %s is %s\n", vm->name, state_name(vm));
		else if (cmd.s[0] == 'p' || (cmd.s[0] == 'r' && cmd.s[2] == 's' && cmd.s[3] == 'u')) {
			bool pause = cmd.s[0] == 'p';
			vm_set_paused(vm, pause);
			kprintf("  vm %s: %s\n", vm->name, pause ? "paused" : "resumed");
		} else {
			vm_request_reset(vm);
			kprintf("  vm %s: reset requested\n", vm->name);
		}
	} else {
		kprintf("error: unknown command \"%.*s\" (help lists them)\n", (int)cmd.len, cmd.s);
	}
}

void monitor_enter(void)
{
	kprintf("yakvm monitor (help lists the commands; Ctrl-A three times leaves)\n");
	len = 0;
}

void monitor_input(char c)
{
	if (top_on) {	/* any key stops `top` */
		top_on = false;
		vtimer_cancel(&top_timer);
		kprintf("top: stopped\n");
		return;
	}
	if (c == '\r' || c == '\n') {
		line[len] = 0;
		kprintf("yakvm> %s\n", line);
		run();
		len = 0;
	} else if ((c == 0x7f || c == '\b') && len) {
		len--;
	} else if (c >= 0x20 && c < 0x7f && len < LINE_MAX - 1) {
		line[len++] = c;
	}
}
