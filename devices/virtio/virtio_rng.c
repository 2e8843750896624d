/*
 * devices/virtio/virtio_rng.c - the entropy device (virtio 1.1, 5.4):
 * device ID 4, one request queue, no feature bits, no configuration space.
 * Each writable buffer the driver offers is filled with bytes from the
 * host CPU's RDRAND (5.4.6: the device fills the buffer with random
 * bytes; it may write fewer).
 *
 * RDRAND may fail transiently (CF = 0); Intel's DRNG Software
 * Implementation Guide, 5.2.1, recommends retrying 10 times before
 * giving up. A chain gets what was drawn until then, perhaps 0 bytes: the
 * device never waits. Offered only where CPUID.01H:ECX[30] (RDRAND) is set
 * (virtio_rng_host_ok(); devices/virtio/virtio_vm.c asks).
 */
#include "devices/virtio/virtio_rng.h"
#include "devices/virtio/virtio_pci.h"
#include "arch/x86/cpu.h"

#define RNG_RETRIES   10
#define RNG_MAX_SEGS  16               /* descriptors per chain */
#define RNG_MAX_FILL  4096u            /* bytes drawn per chain */
#define RNG_CHAIN_MAX (1ull << 32)     /* a chain's bytes, counted by virtq_pop */

bool virtio_rng_host_ok(void)
{
	return (cpuid(1, 0).ecx >> 30) & 1;
}

/* One RDRAND of 64 bits, retried; false if it kept failing. */
static bool rdrand64(uint64_t *out)
{
	for (unsigned i = 0; i < RNG_RETRIES; i++) {
		uint64_t v;
		uint8_t ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok) : : "cc");
		if (ok) {
			*out = v;
			return true;
		}
	}
	return false;
}

/* Fills the chain's writable part (at most RNG_MAX_FILL bytes); returns
 * the bytes written. */
static uint32_t fill(struct virtq *vq, const struct virtq_chain *c)
{
	uint64_t want = c->write_len < RNG_MAX_FILL ? c->write_len : RNG_MAX_FILL;
	uint64_t done = 0;
	while (done < want) {
		uint64_t r;
		if (!rdrand64(&r))
			break;
		uint64_t n = want - done < 8 ? want - done : 8;
		uint64_t put = virtq_chain_write(vq, c, done, &r, n);
		done += put;
		if (put < n)
			break;			/* the chain ended early: never loop */
	}
	return (uint32_t)done;
}

static void rng_notify(struct virtio_dev *vd, unsigned q)
{
	struct virtq *vq = &vd->vq[q];
	struct virtq_seg segs[RNG_MAX_SEGS];
	struct virtq_chain c = { .segs = segs, .cap = RNG_MAX_SEGS };
	bool pushed = false;
	for (unsigned i = 0; i < vq->size; i++) {
		enum virtq_pop_result r = virtq_pop(vq, &c, RNG_CHAIN_MAX);
		if (r != VIRTQ_POPPED)
			break;
		if (!virtq_push(vq, &c, fill(vq, &c)))
			break;
		pushed = true;
	}
	if (pushed)
		virtio_used(vd, q);
}

const struct virtio_type virtio_rng_type = {
	.name = "virtio-rng",
	.device_id = 4,
	.pci_class = { 0xff, 0x00, 0x00 },	/* QEMU's: "unclassified" */
	.features = 0,
	.nqueues = 1,
	.queue_max = 64,
	.config_size = 0,
	.notify = rng_notify,
};
