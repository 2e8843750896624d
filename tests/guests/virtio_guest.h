/*
 * tests/guests/virtio_guest.h - what hostile_virtio.c and hostile_vblk.c
 * share as drivers of the virtio function at 00:02.0: its configuration
 * space, the status bits (virtio 1.1, 2.1), the descriptor layout (2.6.5)
 * and the walk of its vendor capabilities to the BAR 0 regions (4.1.4).
 * Each of them includes it once.
 */
#ifndef VIRTIO_GUEST_H
#define VIRTIO_GUEST_H

#define CFG_ADDR  0x80001000u	/* CONFIG_ADDRESS of 00:02.0 */
#define ST_ACK    1
#define ST_DRIVER 2
#define ST_DRV_OK 4
#define ST_FEAT_OK 8
#define ST_NEEDS_RESET 64

/* A descriptor in the guest's RAM (identity-mapped: addresses are GPAs). */
struct desc { uint64_t addr; uint32_t len; uint16_t flags, next; };

/* Where the capabilities put the regions, as addresses in BAR 0. */
struct virtio_regions { uint32_t bar, common, notify, isr, devcfg, mult; };

static uint32_t cfg_in(unsigned reg)
{
	outl(0xcf8, CFG_ADDR | reg);
	return inl(0xcfc);
}

/* The vendor capabilities (ID 9) that point into BAR 0 (4.1.4): common
 * configuration, notifications with their multiplier, ISR and device
 * configuration; at most 48 hops of a list the guest does not trust. */
static struct virtio_regions virtio_find_regions(void)
{
	struct virtio_regions r = { .bar = cfg_in(0x10) & ~0xfu };
	for (unsigned p = cfg_in(0x34) & 0xff, n = 0; p && n < 48; p = (cfg_in(p) >> 8) & 0xff, n++) {
		uint32_t d0 = cfg_in(p);
		if ((d0 & 0xff) != 9 || (cfg_in(p + 4) & 0xff) != 0)
			continue;
		uint32_t at = r.bar + cfg_in(p + 8);
		switch (d0 >> 24) {
		case 1: r.common = at; break;
		case 2: r.notify = at; r.mult = cfg_in(p + 16); break;
		case 3: r.isr = at; break;
		case 4: r.devcfg = at; break;
		}
	}
	return r;
}

#define C8(o)  (*(volatile uint8_t *)(common + (o)))
#define C16(o) (*(volatile uint16_t *)(common + (o)))
#define C32(o) (*(volatile uint32_t *)(common + (o)))

#endif
