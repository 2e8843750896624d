/*
 * drivers/net/e1000e.c - yakvm's host driver for the Intel 82574L (QEMU's
 * e1000e, 8086:10d3), after the 82574 datasheet's initialization sequence
 * (4.6): interrupts masked, a software reset, the MAC from receive address
 * 0 (or the EEPROM), link up, one legacy receive and one legacy transmit
 * ring of 64 descriptors with 2 KiB buffers. Polled: no interrupt is used.
 */
#include "drivers/net/e1000e.h"
#include "drivers/net/e1000e_regs.h"
#include "drivers/net/netdev.h"
#include "drivers/net/nic_ring.h"
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "mm/paging.h"
#include "mm/pmm.h"
#include "lib/log.h"
#include "lib/string.h"

#define RING 64			/* descriptors: RDLEN a multiple of 128 bytes */
#define BUF  2048		/* RCTL.BSIZE 00b */
#define E1000E_MAX 2

struct e1000e {
	struct netdev nd;
	volatile uint8_t *regs;
	volatile struct e1000_rx_desc *rx;
	volatile struct e1000_tx_desc *tx;
	uint8_t *rx_bufs, *tx_bufs;
	uint16_t rx_next, tx_next;	/* the next descriptor to read / to fill */
	uint32_t rctl;
};

static struct e1000e cards[E1000E_MAX];
static unsigned ncards;

static uint32_t rd(struct e1000e *c, unsigned off) { return *(volatile uint32_t *)(c->regs + off); }
static void wr(struct e1000e *c, unsigned off, uint32_t v) { *(volatile uint32_t *)(c->regs + off) = v; }

static int e1000e_send(struct netdev *n, const void *frame, uint32_t len)
{
	struct e1000e *c = n->priv;
	volatile struct e1000_tx_desc *d = &c->tx[c->tx_next];
	/* A descriptor is free once the card wrote DD back (RS asked it to);
	 * each starts with DD set (see bring_up). */
	if (!(d->status & TXD_STA_DD) || len > BUF)
		return -1;
	memcpy(c->tx_bufs + (uint32_t)c->tx_next * BUF, frame, len);
	d->length = (uint16_t)len;
	d->cso = d->css = 0;
	d->special = 0;
	d->status = 0;
	d->cmd = TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS;
	c->tx_next = nic_ring_next(c->tx_next, RING);
	__asm__ volatile("mfence" ::: "memory");	/* the descriptor before the tail */
	wr(c, E1000_TDT, c->tx_next);
	return 0;
}

static uint32_t e1000e_recv(struct netdev *n, void *buf)
{
	struct e1000e *c = n->priv;
	for (;;) {
		volatile struct e1000_rx_desc *d = &c->rx[c->rx_next];
		uint8_t status = d->status;
		if (!(status & E1000_RXD_STA_DD))
			return 0;
		__asm__ volatile("" ::: "memory");	/* the fields after DD */
		uint32_t len = nic_e1000_rx_len(status, d->errors, d->length, BUF,
						 NETDEV_FRAME_MAX);
		if (len)
			memcpy(buf, c->rx_bufs + (uint32_t)c->rx_next * BUF, len);
		else
			n->stats.rx_dropped++;
		/* Back to the card: the address rewritten, the status cleared,
		 * then the tail moved onto it (7.1.8). */
		d->addr = virt_to_phys(c->rx_bufs + (uint32_t)c->rx_next * BUF);
		d->status = 0;
		__asm__ volatile("mfence" ::: "memory");
		wr(c, E1000_RDT, c->rx_next);
		c->rx_next = nic_ring_next(c->rx_next, RING);
		if (len)
			return len;
	}
}

static int e1000e_set_promisc(struct netdev *n, bool on)
{
	struct e1000e *c = n->priv;
	c->rctl = on ? c->rctl | RCTL_UPE | RCTL_MPE : c->rctl & ~(RCTL_UPE | RCTL_MPE);
	wr(c, E1000_RCTL, c->rctl);
	return 0;
}

static bool e1000e_link_up(struct netdev *n)
{
	return rd(n->priv, E1000_STATUS) & STATUS_LU;
}

static const struct netdev_ops e1000e_ops = {
	.send = e1000e_send, .recv = e1000e_recv,
	.set_promisc = e1000e_set_promisc, .link_up = e1000e_link_up,
};

/* The MAC: receive address 0 as loaded from the EEPROM at reset; if it is
 * not valid, EEPROM words 0-2 through EERD (10.2.2.x). */
static bool read_mac(struct e1000e *c)
{
	uint32_t ral = rd(c, E1000_RAL0), rah = rd(c, E1000_RAH0);
	if (!(rah & RAH_AV)) {
		uint16_t w[3];
		for (unsigned i = 0; i < 3; i++) {
			wr(c, E1000_EERD, i << EERD_ADDR_SHIFT | EERD_START);
			uint64_t deadline = rdtsc() + 100ull * tsc_khz();
			uint32_t v;
			while (!((v = rd(c, E1000_EERD)) & EERD_DONE))
				if (rdtsc() > deadline)
					return false;
			w[i] = (uint16_t)(v >> EERD_DATA_SHIFT);
		}
		ral = w[0] | (uint32_t)w[1] << 16;
		rah = w[2] | RAH_AV;
		wr(c, E1000_RAL0, ral);
		wr(c, E1000_RAH0, rah);
	}
	for (unsigned i = 0; i < 4; i++)
		c->nd.mac[i] = (uint8_t)(ral >> (8 * i));
	c->nd.mac[4] = (uint8_t)rah;
	c->nd.mac[5] = (uint8_t)(rah >> 8);
	return true;
}

static const char *bring_up(struct e1000e *c)
{
	wr(c, E1000_IMC, ~0u);			/* 4.6.1: interrupts masked */
	wr(c, E1000_CTRL, rd(c, E1000_CTRL) | CTRL_RST);	/* 4.6.2 */
	uint64_t deadline = rdtsc() + 100ull * tsc_khz();
	while (rd(c, E1000_CTRL) & CTRL_RST) {
		if (rdtsc() > deadline)
			return "the software reset did not complete within 100 ms";
		cpu_relax();
	}
	wr(c, E1000_IMC, ~0u);			/* again after the reset */
	(void)rd(c, E1000_ICR);
	if (!read_mac(c))
		return "no MAC address (RAH0 not valid, EEPROM read timed out)";
	wr(c, E1000_CTRL, rd(c, E1000_CTRL) | CTRL_SLU);	/* 4.6.4: link up */
	for (unsigned i = 0; i < 128; i++)
		wr(c, E1000_MTA + 4 * i, 0);

	uint64_t rings = pmm_alloc_page();
	uint64_t bufs = pmm_alloc_pages(2 * RING * BUF / PAGE_SIZE);
	if (!rings || !bufs)
		return "out of memory";
	memset(phys_to_virt(rings), 0, PAGE_SIZE);
	c->rx = phys_to_virt(rings);
	c->tx = phys_to_virt(rings + RING * sizeof(struct e1000_rx_desc));
	c->rx_bufs = phys_to_virt(bufs);
	c->tx_bufs = phys_to_virt(bufs + RING * BUF);
	for (unsigned i = 0; i < RING; i++) {
		c->rx[i].addr = bufs + (uint64_t)i * BUF;
		c->tx[i].addr = bufs + (uint64_t)(RING + i) * BUF;
		c->tx[i].status = TXD_STA_DD;	/* free */
	}
	/* 4.6.5 Receive Initialization: every descriptor but one given. */
	uint64_t rx_pa = virt_to_phys((const void *)c->rx), tx_pa = virt_to_phys((const void *)c->tx);
	wr(c, E1000_RDBAL, (uint32_t)rx_pa);
	wr(c, E1000_RDBAH, (uint32_t)(rx_pa >> 32));
	wr(c, E1000_RDLEN, RING * sizeof(struct e1000_rx_desc));
	wr(c, E1000_RDH, 0);
	wr(c, E1000_RDT, RING - 1);
	c->rctl = RCTL_EN | RCTL_BAM | RCTL_SECRC;
	wr(c, E1000_RCTL, c->rctl);
	/* 4.6.6 Transmit Initialization. */
	wr(c, E1000_TDBAL, (uint32_t)tx_pa);
	wr(c, E1000_TDBAH, (uint32_t)(tx_pa >> 32));
	wr(c, E1000_TDLEN, RING * sizeof(struct e1000_tx_desc));
	wr(c, E1000_TDH, 0);
	wr(c, E1000_TDT, 0);
	wr(c, E1000_TIPG, TIPG_DEFAULT);
	wr(c, E1000_TCTL, TCTL_EN | TCTL_PSP | TCTL_CT | TCTL_COLD);
	return NULL;
}

bool e1000e_probe(const struct pci_func *f)
{
	if (ncards == E1000E_MAX || netdev_count() == NETDEV_MAX) {
		log_warn("e1000e %02x:%02x.%u: too many cards: left alone", f->bus, f->dev, f->fn);
		return false;
	}
	struct pci_bar bar;
	if (pci_bar_read(f, 0, &bar) || !bar.mem || !bar.base || bar.size < E1000_REGS_LEN) {
		log_warn("e1000e %02x:%02x.%u: no usable register BAR 0: left alone", f->bus,
			 f->dev, f->fn);
		return false;
	}
	struct e1000e *c = &cards[ncards];
	paging_map_mmio(bar.base, E1000_REGS_LEN);
	c->regs = phys_to_virt(bar.base);
	pci_take(f);
	const char *why = bring_up(c);
	if (why) {
		log_error("e1000e %02x:%02x.%u: %s: left alone", f->bus, f->dev, f->fn, why);
		return false;
	}
	ncards++;
	c->nd.driver = "e1000e";
	c->nd.ops = &e1000e_ops;
	c->nd.priv = c;
	netdev_add(&c->nd, f);
	return true;
}
