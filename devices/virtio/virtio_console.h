/*
 * devices/virtio/virtio_console.h - the virtio console device (virtio 1.1,
 * 5.3), hvc0 in Linux: one port, no VIRTIO_CONSOLE_F_MULTIPORT, so two
 * queues (5.3.2: receiveq0, transmitq0). What the driver transmits comes
 * out on yakvm's console as whole lines with the VM's `[name]` prefix,
 * in the VM's own line queue (core/console/console.h), beside its UART's.
 * Typed input goes to the port once the driver has opened it
 * (docs/virtio.md, "virtio-console"); before that, to the UART.
 */
#ifndef YAKVM_DEVICES_VIRTIO_VIRTIO_CONSOLE_H
#define YAKVM_DEVICES_VIRTIO_VIRTIO_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include "core/console/console.h"
#include "devices/virtio/virtio_dev.h"

#define VCON_RX 0                  /* receiveq0: the device writes input */
#define VCON_TX 1                  /* transmitq0: the driver's output */
#define VCON_QUEUE_SIZE 64
#define VCON_SEGS 16               /* descriptors a chain may hold */
#define VCON_MAX_CHAIN 65536u      /* bytes a chain may hold: more breaks the queue */
#define VCON_INPUT_BUF 256         /* typed bytes waiting for receive buffers */

/* The device's state (the transport's type_state). */
struct vcon {
	struct console_line *out;      /* the VM's line queue */
	bool opened;                   /* input goes to the port */
	size_t len;                    /* the output line being written */
	char line[CONSOLE_LINE_MAX];
	unsigned in_head, in_count;    /* typed, not yet in a receive buffer */
	char in[VCON_INPUT_BUF];
	struct virtq_seg segs[VCON_SEGS];
};

/* `init`'s argument is the VM's struct console_line. */
extern const struct virtio_type virtio_console_type;

/* Typed bytes for the port, the device's lock held: false (nothing taken)
 * while the port is not open, for the caller to give them to the UART.
 * Bytes that find the waiting buffer full are dropped, as the UART's. */
bool vcon_input(struct virtio_dev *vd, const char *bytes, size_t n);

struct device;
/* vcon_input() for the console's input path: takes the device's lock;
 * `d` is a virtio-console's bus device. */
bool virtio_console_receive(struct device *d, const char *bytes, size_t n);

#endif
