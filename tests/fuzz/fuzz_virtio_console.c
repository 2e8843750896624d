/*
 * tests/fuzz/fuzz_virtio_console.c - virtio-console (devices/virtio/
 * virtio_console.c, virtio 1.1 5.3) behind two queues in a guest RAM
 * built from the input. Input: byte 0 the driver's features (bit 0
 * INDIRECT_DESC, 1 EVENT_IDX); bytes 1-16 a script, one step a byte (low 2
 * bits: 0 notify receiveq0, 1 notify transmitq0, 2 type (byte >> 2) bytes,
 * 3 device reset and the queues enabled again); then RAM from
 * guest-physical 0 (64 KiB): receiveq0 of 8 at 0 / 0x80 / 0x100,
 * transmitq0 of 8 at 0x200 / 0x280 / 0x300; buffers wherever the input
 * puts them.
 * Properties: every printed line fits a console line and holds no
 * newline; every chain popped is pushed back unless the device stopped
 * for a reset; needs-reset is reported at most once per reset and nothing
 * is served after it; input is refused while the device is not usable,
 * never more bytes reach receive buffers than were typed (counted
 * through a wrapped virtq_chain_write), the device writes only there, and the waiting input stays within its buffer; configuration
 * reads stay in bounds.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/virtio_console.h"
#include "tests/fakes/flat_ram.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "fuzz_virtio_console: %s:%d: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

#define SPACE  0x10000ull
#define QSIZE  8
#define SCRIPT 16

static uint8_t ram[SPACE];
static struct flat_ram guest = { ram, SPACE };
static bool needs_reset;
static struct virtio_dev vd;

void virtio_used(struct virtio_dev *d, unsigned q) { CHECK(q < 2); }
void virtio_config_changed(struct virtio_dev *d) { }
void virtio_needs_reset(struct virtio_dev *d, const char *why)
{
	CHECK(why && !needs_reset);
	needs_reset = true;
	d->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
}
uint64_t device_lock(struct device *d) { return 0; }
void device_unlock(struct device *d, uint64_t f) { }

static struct console_line line;
void console_vm_put_line(struct console_line *l, const char *text, size_t len)
{
	CHECK(l == &line);
	CHECK(len <= CONSOLE_LINE_MAX);
	CHECK(memchr(text, '\n', len) == NULL);
}

/* What the transport does on reset and set-up: queues of 8, enabled. */
static void start(uint64_t feat)
{
	vd.status = 0;
	vd.type->reset(&vd);
	needs_reset = false;
	struct virtq_mem mem = flat_ram_mem(&guest);
	for (unsigned q = 0; q < 2; q++) {
		struct virtq *vq = &vd.vq[q];
		virtq_reset(vq);
		vq->size = QSIZE;
		vq->desc = 0x200ull * q;
		vq->avail = 0x200ull * q + 0x80;
		vq->used = 0x200ull * q + 0x100;
		CHECK(virtq_enable(vq, &mem, feat));
	}
	vd.status = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
		    VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK;
}

/* The bytes the device writes into receive buffers, counted as it writes
 * them (the link wraps virtq_chain_write: a used ring the guest's buffers
 * overlap could not be trusted to say it afterwards). */
static uint64_t delivered;
uint64_t __real_virtq_chain_write(const struct virtq *vq, const struct virtq_chain *chain,
				  uint64_t off, const void *src, uint64_t len);
uint64_t __wrap_virtq_chain_write(const struct virtq *vq, const struct virtq_chain *chain,
				  uint64_t off, const void *src, uint64_t len)
{
	CHECK(vq == &vd.vq[VCON_RX]);		/* the device writes only input */
	uint64_t n = __real_virtq_chain_write(vq, chain, off, src, len);
	CHECK(n <= len);
	delivered += n;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 + SCRIPT)
		return 0;
	uint64_t feat = 1ull << VIRTIO_F_VERSION_1;
	if (data[0] & 1) feat |= 1ull << VIRTIO_F_INDIRECT_DESC;
	if (data[0] & 2) feat |= 1ull << VIRTIO_F_EVENT_IDX;
	const uint8_t *script = data + 1;
	memset(ram, 0, sizeof(ram));
	memcpy(ram, data + 1 + SCRIPT, size - 1 - SCRIPT < SPACE ? size - 1 - SCRIPT : SPACE);

	static struct vcon vc;
	memset(&vc, 0, sizeof(vc));
	memset(&vd, 0, sizeof(vd));
	vd.type = &virtio_console_type;
	vd.type_state = &vc;
	vd.type->init(&vd, &line);
	start(feat);
	uint64_t typed = 0;
	delivered = 0;
	char keys[64];
	for (unsigned i = 0; i < sizeof(keys); i++)
		keys[i] = (char)('a' + i % 26);

	for (unsigned s = 0; s < SCRIPT; s++) {
		uint8_t op = script[s];
		bool usable = !needs_reset && !vd.vq[VCON_RX].broken;
		switch (op & 3) {
		case 0: case 1:
			if (!needs_reset)	/* the transport serves nothing after it */
				vd.type->notify(&vd, op & 3);
			break;
		case 2:
			if (vcon_input(&vd, keys, op >> 2)) {
				CHECK(usable);
				typed += op >> 2;
			}
			break;
		case 3:
			start(feat);
			break;
		}
		CHECK(needs_reset || (vd.vq[0].in_flight == 0 && vd.vq[1].in_flight == 0));
		CHECK(vc.in_count <= VCON_INPUT_BUF && vc.in_head < VCON_INPUT_BUF);
		CHECK(vc.len < CONSOLE_LINE_MAX);
		/* Nothing comes out of thin air: delivered, waiting and
		 * dropped bytes were all typed (a reset drops the waiting). */
		CHECK(delivered + vc.in_count <= typed);
	}
	for (uint32_t off = 0; off < vd.type->config_size; off++)
		(void)vd.type->config_read(&vd, off, 1);
	return 0;
}
