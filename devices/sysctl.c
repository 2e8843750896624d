/*
 * devices/sysctl.c - two legacy system ports of the PC chipset:
 *   0x92  "System Control Port A" (PS/2, Intel PIIX/ICH "port 92"): bit 1 the
 *         fast A20 gate (recorded and read back; guest memory never wraps at
 *         1 MiB), bit 0 fast CPU reset: writing 1 requests a VM reset.
 *   0x80  the POST code port: writes are accepted silently and remembered,
 *         reads return the last value written.
 */
#include <stdbool.h>
#include "devices/device.h"
#include "devices/i8042.h"

#define PORT_POST     0x80
#define PORT_SYSCTL_A 0x92
#define A_RESET       0x01
#define A_A20         0x02

struct sysctl {
	uint8_t port_a;     /* bit 1 A20; bit 0 reads 0 once the reset is done */
	uint8_t post;
};

static void sysctl_reset(struct device *d)
{
	struct sysctl *s = d->state;
	s->port_a = A_A20;  /* firmware leaves A20 enabled */
	s->post = 0;
}

static uint32_t sysctl_read(struct device *d, uint16_t port, unsigned size)
{
	struct sysctl *s = d->state;
	switch (port) {
	case PORT_POST:
		return s->post;
	case PORT_SYSCTL_A:
		return s->port_a;
	default:
		return 0xffffffffu;
	}
}

static void sysctl_write(struct device *d, uint16_t port, unsigned size, uint32_t val)
{
	struct sysctl *s = d->state;
	switch (port) {
	case PORT_POST:
		s->post = (uint8_t)val;
		break;
	case PORT_SYSCTL_A:
		s->port_a = (uint8_t)val & A_A20;
		if (val & A_RESET)
			vm_request_reset(d->vm);
		break;
	}
}

const struct device_model sysctl_model = {
	.name = "sysctl",
	.state_size = sizeof(struct sysctl),
	.reset = sysctl_reset,
	.pio_read = sysctl_read,
	.pio_write = sysctl_write,
};
