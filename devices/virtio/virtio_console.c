/*
 * devices/virtio/virtio_console.c - the virtio console device (virtio 1.1,
 * 5.3) with one port and no feature bits: device ID 3, receiveq0 and
 * transmitq0 (5.3.2), a configuration space of 12 bytes that reads 0
 * (5.3.4: cols and rows only with F_SIZE, max_nr_ports only with
 * F_MULTIPORT, emerg_wr only with F_EMERG_WRITE, none offered).
 *
 * Output (5.3.6: the driver places outgoing characters in transmitq0):
 * each chain's readable bytes, copied once into yakvm's memory, are cut
 * into lines for the VM's console queue; the used length is 0.
 * Input (5.3.6: the driver fills receiveq0 with buffers for incoming
 * data): typed bytes are written into popped receive buffers; those that
 * find none wait (VCON_INPUT_BUF) until the driver adds some and notifies.
 *
 * "Open": DRIVER_OK, the device not broken, and receive buffers offered
 * at least once (Linux posts them when it binds the port as hvc0). With
 * F_MULTIPORT Linux sends PORT_OPEN for a console port at that same point
 * (init_port_console), not when a program opens hvc0: it would tell
 * nothing more, so it is not offered. Open lasts until a device reset.
 */
#include "devices/virtio/virtio_console.h"
#include "devices/virtio/virtio_pci.h"

#define CFG_SIZE 12                    /* struct virtio_console_config */

static struct vcon *vc_of(struct virtio_dev *vd)
{
	return vd->type_state;
}

static void init(struct virtio_dev *vd, const void *arg)
{
	vc_of(vd)->out = (struct console_line *)arg;
}

static uint32_t config_read(struct virtio_dev *vd, uint32_t off, unsigned size)
{
	return 0;
}

static void config_write(struct virtio_dev *vd, uint32_t off, unsigned size, uint32_t val)
{
}

/* ---- output ----------------------------------------------------------------- */

static void put_line(struct vcon *c)
{
	if (c->out)
		console_vm_put_line(c->out, c->line, c->len);
	c->len = 0;
}

static void put_byte(struct vcon *c, char b)
{
	if (b == '\r')
		return;
	if (b == '\n') {
		put_line(c);
		return;
	}
	c->line[c->len++] = b;
	if (c->len == CONSOLE_LINE_MAX)
		put_line(c);
}

static void transmit(struct virtio_dev *vd, struct virtq *vq, const struct virtq_chain *ch)
{
	struct vcon *c = vc_of(vd);
	char buf[128];
	for (uint64_t off = 0; off < ch->read_len;) {
		uint64_t n = virtq_chain_read(vq, ch, off, buf, sizeof(buf));
		if (!n)
			break;			/* never loop on a chain that ended */
		for (uint64_t i = 0; i < n; i++)
			put_byte(c, buf[i]);
		off += n;
	}
}

/* ---- input -------------------------------------------------------------------- */

static bool usable(struct virtio_dev *vd)
{
	const struct virtq *rx = &vd->vq[VCON_RX];
	return (vd->status & VIRTIO_STATUS_DRIVER_OK) &&
	       !(vd->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET) && rx->enabled && !rx->broken;
}

/* Moves waiting input into receive buffers while both last. */
static void deliver(struct virtio_dev *vd)
{
	struct vcon *c = vc_of(vd);
	struct virtq *rx = &vd->vq[VCON_RX];
	bool pushed = false;
	const char *broken = NULL;
	for (unsigned i = 0; i < rx->size && c->in_count && usable(vd); i++) {
		struct virtq_chain ch = { .segs = c->segs, .cap = VCON_SEGS };
		enum virtq_pop_result r = virtq_pop(rx, &ch, VCON_MAX_CHAIN);
		if (r == VIRTQ_EMPTY)
			break;
		if (r == VIRTQ_BROKEN) {
			broken = virtq_error_name(rx->broken);
			break;
		}
		uint64_t done = 0;
		while (c->in_count && done < ch.write_len) {
			/* The waiting bytes up to the buffer's wrap. */
			unsigned run = VCON_INPUT_BUF - c->in_head;
			if (run > c->in_count)
				run = c->in_count;
			uint64_t put = virtq_chain_write(rx, &ch, done, c->in + c->in_head, run);
			if (!put)
				break;
			done += put;
			c->in_head = (unsigned)((c->in_head + put) % VCON_INPUT_BUF);
			c->in_count -= (unsigned)put;
		}
		if (virtq_push(rx, &ch, (uint32_t)done))
			pushed = true;
	}
	if (pushed)
		virtio_used(vd, VCON_RX);
	if (broken)
		virtio_needs_reset(vd, broken);
}

bool vcon_input(struct virtio_dev *vd, const char *bytes, size_t n)
{
	struct vcon *c = vc_of(vd);
	if (!usable(vd))
		return false;
	/* Buffers offered while the transport did not pass the notification
	 * on (before DRIVER_OK): virtq_set_notify() reads the ring's idx. */
	if (!c->opened && !virtq_set_notify(&vd->vq[VCON_RX], true))
		return false;
	c->opened = true;
	size_t i = 0;
	for (;;) {
		while (i < n && c->in_count < VCON_INPUT_BUF)
			c->in[(c->in_head + c->in_count++) % VCON_INPUT_BUF] = bytes[i++];
		unsigned waiting = c->in_count;
		deliver(vd);
		if (i == n || c->in_count == waiting)
			return true;	/* all taken, or no buffer: the rest dropped */
	}
}

bool virtio_console_receive(struct device *d, const char *bytes, size_t n)
{
	struct virtio_pci *p = d->state;
	uint64_t f = device_lock(d);
	bool taken = vcon_input(&p->vd, bytes, n);
	device_unlock(d, f);
	return taken;
}

/* ---- the queues ------------------------------------------------------------------ */

static void notify(struct virtio_dev *vd, unsigned q)
{
	struct vcon *c = vc_of(vd);
	struct virtq *vq = &vd->vq[q];
	if (q == VCON_RX) {
		c->opened = true;	/* the driver offered receive buffers */
		deliver(vd);
		return;
	}
	const char *broken = NULL;
	bool pushed = false;
	/* At most the queue's size per notification (docs/virtio.md). */
	for (unsigned i = 0; i < vq->size; i++) {
		struct virtq_chain ch = { .segs = c->segs, .cap = VCON_SEGS };
		enum virtq_pop_result r = virtq_pop(vq, &ch, VCON_MAX_CHAIN);
		if (r == VIRTQ_EMPTY)
			break;
		if (r == VIRTQ_BROKEN) {
			broken = virtq_error_name(vq->broken);
			break;
		}
		transmit(vd, vq, &ch);
		if (virtq_push(vq, &ch, 0))
			pushed = true;
	}
	if (pushed)
		virtio_used(vd, q);
	if (broken)
		virtio_needs_reset(vd, broken);
}

/* A device reset: the port closes; a partial output line is printed,
 * waiting input dropped. */
static void reset(struct virtio_dev *vd)
{
	struct vcon *c = vc_of(vd);
	if (c->len)
		put_line(c);
	c->opened = false;
	c->in_head = c->in_count = 0;
}

/* 5 "Device Types": 3; PCI class 07.80 (communication, other), as QEMU's
 * virtio-serial. */
const struct virtio_type virtio_console_type = {
	.name = "virtio-console",
	.device_id = 3,
	.pci_class = { 0x07, 0x80, 0x00 },
	.features = 0,
	.nqueues = 2,
	.queue_max = VCON_QUEUE_SIZE,
	.config_size = CFG_SIZE,
	.state_size = sizeof(struct vcon),
	.init = init,
	.config_read = config_read,
	.config_write = config_write,
	.notify = notify,
	.reset = reset,
};
