/* core/console/input.c - console input and focus (see input.h). */
#include "core/console/input.h"
#include "core/console/console.h"
#include "core/run/timer.h"
#include "core/vm/vm.h"
#include "lib/log.h"
#include "arch/x86/serial.h"
#include "devices/uart16550.h"
#include "devices/virtio/virtio_console.h"
#include "devices/device.h"
#include "lib/string.h"
#include "core/console/monitor.h"

#define POLL_NS 10000000ull
#define CTRL_A  0x01

static struct vtimer poll_timer;
#define MONITOR (-1)            /* the focus on yakvm's own console */
static int focus = -2;          /* index in vms[], MONITOR, or -2: not yet */
static unsigned ctrl_a_run;     /* consecutive Ctrl-A presses */

static struct device *vm_device(struct vm *vm, const char *name)
{
	for (unsigned i = 0; i < vm->ndevices; i++)
		if (strcmp(vm->devices[i]->decl->name, name) == 0)
			return vm->devices[i];
	return NULL;
}

/* Running and not being ended (its end is printed before it stops). */
static bool takes_input(const struct vm *vm)
{
	return vm->state == VM_RUNNING && !__atomic_load_n(&vm->ending, __ATOMIC_ACQUIRE);
}

/* The running VMs in order, then the monitor, round and round. */
static int next_focus(int from)
{
	for (int i = from < 0 ? 0 : from + 1; i < (int)vm_count; i++)
		if (takes_input(vms[i]))
			return i;
	return MONITOR;
}

static void announce(void)
{
	if (focus == MONITOR) {
		log_info("console input goes to yakvm's monitor (Ctrl-A three times: next)");
		monitor_enter();
	} else {
		log_info("console input goes to vm %s (Ctrl-A three times: next VM, "
			 "Ctrl-A h: help)", vms[focus]->name);
	}
}

static void deliver(char c)
{
	if (focus == -2 || (focus >= 0 && !takes_input(vms[focus]))) {
		/* The focused VM ended: the next running one, wrapping round;
		 * the monitor only when no VM runs any more. */
		focus = next_focus(focus);
		if (focus == MONITOR)
			focus = next_focus(MONITOR);
		announce();
	}
	if (focus == MONITOR) {
		monitor_input(c);
		return;
	}
	/* hvc0 once the guest opened it (hvc=on), else the UART. */
	struct device *hvc = vm_device(vms[focus], "virtio-console");
	if (hvc && virtio_console_receive(hvc, &c, 1))
		return;
	struct device *u = vm_device(vms[focus], "uart0");
	if (u)
		uart_receive(u, &c, 1);
}

static void handle(char c)
{
	if (c == CTRL_A) {
		if (++ctrl_a_run == 3) {
			ctrl_a_run = 0;
			focus = next_focus(focus == -2 ? -2 : focus);
			announce();
		}
		return;
	}
	if (ctrl_a_run == 1 && (c == 'h' || c == '?')) {
		ctrl_a_run = 0;
		kprintf("yakvm console keys:\n"
			"  Ctrl-A Ctrl-A Ctrl-A  move the input focus to the next running VM,\n"
			"                        then to yakvm's monitor (help there lists its commands)\n"
			"  Ctrl-A h              this help\n"
			"  Ctrl-A Ctrl-A x       send one Ctrl-A to the focused VM\n");
		return;
	}
	if (ctrl_a_run == 2 && c == 'x') {
		ctrl_a_run = 0;
		deliver(CTRL_A);
		return;
	}
	/* An incomplete hotkey: pass the Ctrl-As on, then the byte. */
	while (ctrl_a_run) {
		ctrl_a_run--;
		deliver(CTRL_A);
	}
	deliver(c);
}

static void poll(struct vtimer *t)
{
	console_drain();	/* lines queued while another CPU held the port */
	for (int c, n = 0; n < 256 && (c = serial_getc()) >= 0; n++)
		handle((char)c);
	vtimer_arm(t, time_ns() + POLL_NS);
}

void console_input_start(void)
{
	poll_timer.fire = poll;
	vtimer_arm(&poll_timer, time_ns() + POLL_NS);
}
