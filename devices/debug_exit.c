/*
 * devices/debug_exit.c - the VM's "debug exit" port (0xf4), modelled on QEMU's
 * isa-debug-exit: a write of value v ends this VM with status v. Test guests
 * report their result with it. It ends only the guest's own VM.
 */
#include "devices/device.h"
#include "core/vm/vm.h"

static void debug_exit_write(struct device *d, uint16_t port, unsigned size, uint32_t val)
{
	vm_end(d->vm, (int)val, "the guest wrote to its debug-exit port");
}

const struct device_model debug_exit_model = {
	.name = "debug-exit",
	.pio_write = debug_exit_write,
};
