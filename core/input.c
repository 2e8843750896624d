/* core/input.c - console input and focus (see input.h). */
#include "core/input.h"
#include "core/timer.h"
#include "core/vm.h"
#include "core/log.h"
#include "arch/x86/serial.h"
#include "devices/uart16550.h"
#include "devices/device.h"
#include "lib/string.h"

#define POLL_NS 10000000ull
#define CTRL_A  0x01

static struct vtimer poll_timer;
static int focus = -1;          /* index in vms[], -1: none yet */
static unsigned ctrl_a_run;     /* consecutive Ctrl-A presses */

static struct device *vm_uart(struct vm *vm)
{
	for (unsigned i = 0; i < vm->ndevices; i++)
		if (strcmp(vm->devices[i]->decl->name, "uart0") == 0)
			return vm->devices[i];
	return NULL;
}

static int next_running(int from)
{
	for (unsigned k = 1; k <= vm_count; k++) {
		int i = (int)((from + k) % vm_count);
		if (vms[i]->state == VM_RUNNING)
			return i;
	}
	return -1;
}

static void announce(void)
{
	if (focus >= 0)
		log_info("console input goes to vm %s (Ctrl-A three times: next VM, "
			 "Ctrl-A h: help)", vms[focus]->name);
	else
		log_info("console input: no running VM");
}

static void deliver(char c)
{
	if (focus < 0 || vms[focus]->state != VM_RUNNING) {
		focus = next_running(focus < 0 ? -1 : focus);
		if (focus < 0)
			return;
		announce();
	}
	struct device *u = vm_uart(vms[focus]);
	if (u)
		uart_receive(u, &c, 1);
}

static void handle(char c)
{
	if (c == CTRL_A) {
		if (++ctrl_a_run == 3) {
			ctrl_a_run = 0;
			focus = next_running(focus);
			announce();
		}
		return;
	}
	if (ctrl_a_run == 1 && (c == 'h' || c == '?')) {
		ctrl_a_run = 0;
		kprintf("yakvm console keys:\n"
			"  Ctrl-A Ctrl-A Ctrl-A  move the input focus to the next running VM\n"
			"  Ctrl-A h              this help\n"
			"  Ctrl-A Ctrl-A x       send one Ctrl-A to the focused VM\n");
		announce();
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
	for (int c, n = 0; n < 256 && (c = serial_getc()) >= 0; n++)
		handle((char)c);
	vtimer_arm(t, time_ns() + POLL_NS);
}

void console_input_start(void)
{
	poll_timer.fire = poll;
	vtimer_arm(&poll_timer, time_ns() + POLL_NS);
}
