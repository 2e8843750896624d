/*
 * devices/uart16550.h - console input for a VM's 16550A UART
 * (devices/uart16550.c).
 */
#ifndef YAKVM_DEVICES_UART16550_H
#define YAKVM_DEVICES_UART16550_H

#include <stddef.h>

struct device;

#define UART_INPUT_BUF 256   /* host-side bytes waiting for room in the FIFO */

/* Bytes typed on the console for this UART's guest. They wait in a host-side
 * buffer and enter the receive FIFO as the guest reads it, so a paste longer
 * than the FIFO is not lost; what does not fit in the buffer is dropped.
 * Takes the device's lock: call it with no device lock held. */
void uart_receive(struct device *d, const char *bytes, size_t n);

#endif
