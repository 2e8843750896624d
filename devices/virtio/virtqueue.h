/*
 * devices/virtio/virtqueue.h - the device side of a split virtqueue (virtio
 * 1.1, section 2.6), as a pure library over a guest-memory interface: no
 * transport, no device. A transport (virtio-pci) fills in the queue's size
 * and the three areas' guest-physical addresses and enables it; a device
 * pops descriptor chains, copies data out of and into them, pushes used
 * elements and asks whether to notify the driver.
 *
 * Everything the guest wrote is read once into yakvm's memory and checked
 * there: a popped chain is an array of segments in yakvm's memory, each
 * inside the VM's RAM. A queue the driver broke is VIRTQ_BROKEN with a
 * reason until it is reset: the device sets DEVICE_NEEDS_RESET (2.1.2).
 * Not thread-safe: one queue is used by one CPU at a time (the device's
 * lock). docs/virtio.md says what is rejected and why.
 */
#ifndef YAKVM_DEVICES_VIRTIO_VIRTQUEUE_H
#define YAKVM_DEVICES_VIRTIO_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>

/* Feature bits the queue looks at (6, "Reserved Feature Bits"). */
#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX     29

/* The largest split queue: 32768, so that the 16-bit indices tell a full
 * ring from an empty one (2.6, 2.6.13). */
#define VIRTQ_MAX_SIZE 32768u

/* struct virtq_desc flags (2.6.5). */
#define VIRTQ_DESC_F_NEXT     1
#define VIRTQ_DESC_F_WRITE    2
#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTQ_DESC_SIZE       16
/* virtq_avail.flags (2.6.7) and virtq_used.flags (2.6.10). */
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY     1

/* Guest-physical memory as the queue sees it. read and write copy all of
 * [gpa, gpa+len) or nothing (false: not all RAM); is_ram says whether all
 * of [gpa, gpa+len) is the VM's RAM (len > 0). The library never asks for
 * a range that wraps around 2^64. read16 and write16 are for the ring
 * fields both sides change while the other runs (idx, flags, used_event,
 * avail_event): one single-copy-atomic access of the little-endian 16-bit
 * field at an even gpa, never torn into bytes (a memcpy may be). */
struct virtq_mem {
	void *ctx;
	bool (*read)(void *ctx, uint64_t gpa, void *dst, uint64_t len);
	bool (*write)(void *ctx, uint64_t gpa, const void *src, uint64_t len);
	bool (*is_ram)(void *ctx, uint64_t gpa, uint64_t len);
	bool (*read16)(void *ctx, uint64_t gpa, uint16_t *v);
	bool (*write16)(void *ctx, uint64_t gpa, uint16_t v);
};

/* Why a queue needs reset: what the driver did against the specification
 * (virtq_error_name() gives it in words, for the device's log line). */
enum virtq_error {
	VIRTQ_ERR_NONE,
	VIRTQ_ERR_SIZE,               /* size 0, not a power of 2, > 32768 (2.6) */
	VIRTQ_ERR_ALIGN,              /* an area misaligned (2.6.1) */
	VIRTQ_ERR_AREA,               /* an area not all RAM */
	VIRTQ_ERR_RING_ACCESS,        /* a ring or table read/write failed */
	VIRTQ_ERR_AVAIL_IDX,          /* avail idx more than size ahead (2.6.6.1) */
	VIRTQ_ERR_OVERRUN,            /* more chains in flight than the queue size */
	VIRTQ_ERR_HEAD,               /* a head index >= size */
	VIRTQ_ERR_NEXT,               /* a next index out of its table */
	VIRTQ_ERR_LOOP,               /* a chain longer than its table: a loop (2.6.5.2) */
	VIRTQ_ERR_TOO_MANY,           /* more descriptors than the device takes (2.6.4.1) */
	VIRTQ_ERR_INDIRECT_FEATURE,   /* INDIRECT without VIRTIO_F_INDIRECT_DESC (2.6.5.3.1) */
	VIRTQ_ERR_INDIRECT_NEXT,      /* INDIRECT together with NEXT (2.6.5.3.1) */
	VIRTQ_ERR_INDIRECT_NESTED,    /* INDIRECT inside an indirect table (2.6.5.3.1) */
	VIRTQ_ERR_INDIRECT_LEN,       /* a table of 0 bytes or not of whole descriptors */
	VIRTQ_ERR_INDIRECT_TABLE,     /* a table not all RAM, or wrapping around */
	VIRTQ_ERR_READ_AFTER_WRITE,   /* a readable buffer after a writable one (2.6.4.2) */
	VIRTQ_ERR_BUFFER,             /* a buffer not all RAM, or wrapping around */
	VIRTQ_ERR_TOO_LONG,           /* more bytes than the device's bound */
	VIRTQ_ERR_COUNT
};

const char *virtq_error_name(enum virtq_error e);

struct virtq {
	/* Set by the transport before virtq_enable() (2.6, 4.1.4.3). */
	uint16_t size;                 /* a power of 2, <= VIRTQ_MAX_SIZE */
	uint64_t desc, avail, used;    /* descriptor table, available, used ring */

	/* Set by virtq_enable(). */
	bool enabled;
	bool indirect;                 /* VIRTIO_F_INDIRECT_DESC negotiated */
	bool event_idx;                /* VIRTIO_F_EVENT_IDX negotiated */
	struct virtq_mem mem;

	/* The device's own state: never read back from guest memory. */
	uint16_t last_avail_idx;       /* the next available entry to pop */
	uint16_t used_idx;             /* the used idx last written */
	uint16_t signalled_used;       /* used_idx at the last notify decision */
	uint32_t in_flight;            /* popped, not yet pushed */
	bool notify_off;               /* available buffer notifications suppressed */
	enum virtq_error broken;       /* VIRTQ_ERR_NONE while usable */
};

/* One buffer of a chain, in yakvm's memory: inside the VM's RAM, len > 0. */
struct virtq_seg {
	uint64_t gpa;
	uint32_t len;
	bool writable;
};

/* A popped descriptor chain. The caller sets segs and cap (the most
 * descriptors it takes in one chain, 2.6.4.1); virtq_pop() fills in the
 * rest: segs[0..nread) are device-readable, segs[nread..nsegs) writable. */
struct virtq_chain {
	struct virtq_seg *segs;
	unsigned cap;
	unsigned nsegs, nread;
	uint16_t head;                 /* the id to push back */
	uint64_t read_len, write_len;  /* bytes in each part */
};

/* After BROKEN, what `chain` holds means nothing. */
enum virtq_pop_result { VIRTQ_POPPED, VIRTQ_EMPTY, VIRTQ_BROKEN };

/* Power-on and device-reset state: disabled, no areas, indices 0. */
void virtq_reset(struct virtq *vq);

/* Checks the transport's size and areas (each inside RAM, aligned as
 * 2.6.1 asks) and starts the queue with indices 0; the negotiated
 * `features` say which of INDIRECT_DESC and EVENT_IDX apply. False (and
 * the queue broken with the reason) when they are wrong. */
bool virtq_enable(struct virtq *vq, const struct virtq_mem *mem, uint64_t features);

/* The next available chain, copied into `chain` (2.6.5, 2.6.5.3). EMPTY
 * when the driver offered nothing new; BROKEN when the queue is or becomes
 * broken (vq->broken says why). `max_len`: the most bytes, readable and
 * writable together, the device accepts in one chain. */
enum virtq_pop_result virtq_pop(struct virtq *vq, struct virtq_chain *chain, uint64_t max_len);

/* Copies up to `len` bytes of the chain's readable part, from byte `off`
 * of it, into `dst`; returns how many (fewer when the part ends first). */
uint64_t virtq_chain_read(const struct virtq *vq, const struct virtq_chain *chain,
			  uint64_t off, void *dst, uint64_t len);
/* Copies up to `len` bytes from `src` into the chain's writable part, from
 * byte `off` of it; returns how many. */
uint64_t virtq_chain_write(const struct virtq *vq, const struct virtq_chain *chain,
			   uint64_t off, const void *src, uint64_t len);

/* Returns the chain to the driver: the used element (head, `written`
 * bytes, at most chain->write_len), then the used idx (2.6.8.2). False if
 * the queue is broken or nothing is in flight. */
bool virtq_push(struct virtq *vq, const struct virtq_chain *chain, uint32_t written);

/* After one or more pushes (fewer than 65536 since the last call):
 * whether to send a used buffer notification (2.6.7.2: avail flags
 * without EVENT_IDX, used_event with it). */
bool virtq_need_notify(struct virtq *vq);

/* Asks for available buffer notifications (on) or suppresses them (2.6.10:
 * used flags without EVENT_IDX, avail_event with it). Turning them on
 * returns whether buffers came meanwhile (pop again then). */
bool virtq_set_notify(struct virtq *vq, bool on);

/* Whether new-idx passed event-idx since old-idx: the driver asked to be
 * told when the entry at event_idx was written (2.6.7.2, 2.6.11). */
static inline bool virtq_need_event(uint16_t event_idx, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event_idx - 1) < (uint16_t)(new_idx - old_idx);
}

#endif
