/*
 * devices/machine_pc.c - the PC machine type: the devices every VM gets, as
 * data. Each row names a model, the ports or MMIO range it owns, and its IRQ.
 */
#include "devices/bus.h"

extern const struct device_model uart16550_model;
extern const struct device_model debug_exit_model;

const struct device_decl machine_pc[] = {
	{ "uart0", &uart16550_model, .pio = { { 0x3f8, 8 } }, .irq = 4 },
	{ "debug-exit", &debug_exit_model, .pio = { { 0xf4, 4 } } },
	{ 0 },
};
