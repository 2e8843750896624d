/*
 * devices/machine_pc.c - the PC machine type: the devices every VM gets, as
 * data. Each row names a model, the ports and MMIO range it owns, and its IRQ.
 */
#include "devices/bus.h"
#include "devices/acpi_pm.h"
#include "devices/hpet.h"
#include "devices/ioapic.h"
#include "devices/vlapic.h"
#include "devices/pic.h"
#include "devices/pit.h"
#include "devices/pm_timer.h"
#include "devices/testdev.h"

extern const struct device_model uart16550_model;
extern const struct device_model debug_exit_model;
extern const struct device_model rtc_model, i8042_model, sysctl_model,
	pci_host_model, pm_timer_model;

const struct device_decl machine_pc[] = {
	{ "pic", &pic_model, .pio = { { 0x20, 2 }, { 0xa0, 2 }, { 0x4d0, 2 } } },
	{ "pit", &pit_model, .pio = { { 0x40, 4 }, { 0x61, 1 } }, .irq = 0 },
	{ "uart0", &uart16550_model, .pio = { { 0x3f8, 8 } }, .irq = 4 },
	{ "rtc", &rtc_model, .pio = { { 0x70, 2 } }, .irq = 8 },
	{ "i8042", &i8042_model, .pio = { { 0x60, 1 }, { 0x64, 1 } }, .irq = 1 },
	{ "sysctl", &sysctl_model, .pio = { { 0x80, 1 }, { 0x92, 1 } } },
	{ "pci-host", &pci_host_model, .pio = { { 0xcf8, 8 } } },
	{ "pm-timer", &pm_timer_model, .pio = { { PM_TIMER_PORT, PM_TIMER_LEN } } },
	{ "acpi-pm", &acpi_pm_model, .pio = { { ACPI_PM1A_EVT_PORT, ACPI_PM1A_EVT_LEN },
	  { ACPI_PM1A_CNT_PORT, ACPI_PM1A_CNT_LEN }, { ACPI_RESET_PORT, ACPI_RESET_LEN } } },
	{ "ioapic", &ioapic_model, .mmio_base = IOAPIC_BASE, .mmio_len = 0x1000 },
	{ "lapic", &lapic_mmio_model, .mmio_base = LAPIC_DEFAULT_BASE, .mmio_len = 0x1000 },
	{ "debug-exit", &debug_exit_model, .pio = { { 0xf4, 4 } } },
	{ 0 },
};

/* Added to VMs with hpet=on (the default: docs/vm-config.md). */
const struct device_decl machine_hpet[] = {
	{ "hpet", &hpet_model, .mmio_base = HPET_BASE, .mmio_len = HPET_LEN },
	{ 0 },
};

/* Added to VMs started with testdev=1 (tests/guests/mmio*.c): a PCI
 * function, its page is its BAR 0 (devices/testdev.h). */
const struct device_decl machine_testdev[] = {
	{ .name = "testdev", .model = &testdev_model },
	{ 0 },
};
