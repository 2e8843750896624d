/*
 * devices/acpi_pm.c - the ACPI fixed hardware registers of a PC VM that
 * the FADT (guest/acpi.c) points at (ACPI 6.4, 4.8.3.1 PM1 event
 * registers, 4.8.3.2 PM1 control registers, 4.8.3.6 the reset register),
 * at the ports of devices/acpi_pm.h:
 *
 *   PM1_STS  (PM1a_EVT_BLK+0, 16 bits) write 1 to clear. Nothing sets a bit
 *            but WAK_STS (below): the VM has no fixed events, and the SCI
 *            (IRQ 9) is never raised.
 *   PM1_EN   (PM1a_EVT_BLK+2, 16 bits) read/write storage of the enable bits
 *            (TMR, GBL, PWRBTN, SLPBTN, RTC, PCIEXP_WAKE_DIS); no effect.
 *   PM1_CNT  (PM1a_CNT_BLK, 16 bits) SCI_EN always reads 1: there is no
 *            SMI_CMD port, the VM is always in ACPI mode (4.8.3.2.1).
 *            BM_RLD and SLP_TYP are stored; GBL_RLS and SLP_EN read 0.
 *            Writing SLP_EN with SLP_TYP = ACPI_S5_SLP_TYP (the DSDT's \_S5)
 *            ends the VM (power-off). Other sleep types are not modelled:
 *            the write is taken as a sleep from which the VM woke at once
 *            (WAK_STS set, the guest carries on), so a guest polling
 *            WAK_STS after it does not spin forever. The DSDT declares only
 *            \_S5, so OSPMs do not try them.
 *   RESET    (ACPI_RESET_PORT, 8 bits) writing ACPI_RESET_VALUE (the FADT's
 *            RESET_VALUE) resets the VM; other values are ignored; reads 0.
 *
 * Accesses of any size at any port of the blocks act on the register bytes
 * they cover (an access running past a block's end ignores the extra
 * bytes, which read 0xff).
 */
#include <stdbool.h>
#include "devices/device.h"
#include "devices/acpi_pm.h"
#include "core/vm/vm.h"

/* PM1_EN bits that exist (4.8.3.1.2) */
#define PM1_EN_MASK  ((1u << 0) | (1u << 5) | (1u << 8) | (1u << 9) | (1u << 10) | (1u << 14))

struct acpi_pm {
	uint16_t sts, en, cnt;   /* cnt: BM_RLD and SLP_TYP only */
};

/* The bytes of an access at port (size bytes, value val) that fall in the
 * register at reg (len bytes): *mask marks them in the register, *v holds
 * them in place. Returns whether there are any. */
static bool lanes(uint16_t port, unsigned size, uint32_t val, uint16_t reg,
		  unsigned len, uint32_t *mask, uint32_t *v)
{
	*mask = *v = 0;
	for (unsigned i = 0; i < size; i++) {
		unsigned p = (unsigned)port + i;
		if (p < reg || p >= (unsigned)reg + len)
			continue;
		unsigned bit = (p - reg) * 8;
		*mask |= 0xffu << bit;
		*v |= ((val >> (8 * i)) & 0xffu) << bit;
	}
	return *mask != 0;
}

/* The bytes of register value r (at reg, len bytes) for a read at port. */
static uint32_t read_lanes(uint16_t port, unsigned size, uint16_t reg,
			   unsigned len, uint32_t r, uint32_t acc)
{
	for (unsigned i = 0; i < size; i++) {
		unsigned p = (unsigned)port + i;
		if (p < reg || p >= (unsigned)reg + len)
			continue;
		acc &= ~(0xffu << (8 * i));
		acc |= ((r >> ((p - reg) * 8)) & 0xffu) << (8 * i);
	}
	return acc;
}

static uint16_t cnt_value(const struct acpi_pm *s)
{
	return (uint16_t)(s->cnt | ACPI_PM1_CNT_SCI_EN);
}

static void acpi_pm_reset(struct device *d)
{
	struct acpi_pm *s = d->state;
	s->sts = s->en = s->cnt = 0;
}

static uint32_t acpi_pm_read(struct device *d, uint16_t port, unsigned size)
{
	struct acpi_pm *s = d->state;
	uint32_t v = size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
	v = read_lanes(port, size, ACPI_PM1A_EVT_PORT, 2, s->sts, v);
	v = read_lanes(port, size, ACPI_PM1A_EVT_PORT + 2, 2, s->en, v);
	v = read_lanes(port, size, ACPI_PM1A_CNT_PORT, ACPI_PM1A_CNT_LEN, cnt_value(s), v);
	v = read_lanes(port, size, ACPI_RESET_PORT, ACPI_RESET_LEN, 0, v);
	return v;
}

static void acpi_pm_write(struct device *d, uint16_t port, unsigned size, uint32_t val)
{
	struct acpi_pm *s = d->state;
	uint32_t mask, v;

	if (lanes(port, size, val, ACPI_PM1A_EVT_PORT, 2, &mask, &v))
		s->sts &= (uint16_t)~(v & mask);
	if (lanes(port, size, val, ACPI_PM1A_EVT_PORT + 2, 2, &mask, &v))
		s->en = (uint16_t)((s->en & ~mask) | (v & mask & PM1_EN_MASK));
	if (lanes(port, size, val, ACPI_PM1A_CNT_PORT, ACPI_PM1A_CNT_LEN, &mask, &v)) {
		uint32_t cnt = (cnt_value(s) & ~mask) | (v & mask);
		s->cnt = (uint16_t)(cnt & (ACPI_PM1_CNT_BM_RLD | ACPI_PM1_CNT_SLP_TYP));
		if (v & mask & ACPI_PM1_CNT_SLP_EN) {
			unsigned typ = (cnt & ACPI_PM1_CNT_SLP_TYP) >> ACPI_PM1_CNT_SLP_TYP_SHIFT;
			if (typ == ACPI_S5_SLP_TYP) {
				vm_end(d->vm, 0, "the guest powered off (ACPI S5)");
				return;
			}
			s->sts |= ACPI_PM1_STS_WAK;   /* "woke" at once */
		}
	}
	if (lanes(port, size, val, ACPI_RESET_PORT, ACPI_RESET_LEN, &mask, &v) &&
	    (v & 0xff) == ACPI_RESET_VALUE)
		vm_request_reset(d->vm);
}

const struct device_model acpi_pm_model = {
	.name = "acpi-pm",
	.state_size = sizeof(struct acpi_pm),
	.reset = acpi_pm_reset,
	.pio_read = acpi_pm_read,
	.pio_write = acpi_pm_write,
};
