/* arch/x86/serial.h - the host's own 16550 serial ports (polled). */
#ifndef YAKVM_ARCH_X86_SERIAL_H
#define YAKVM_ARCH_X86_SERIAL_H

#include <stdint.h>
#include <stdbool.h>

/* Any port by its I/O base: 115200 8N1, FIFOs on; -1 if no byte waits. */
void uart_init(uint16_t port);
void uart_putc(uint16_t port, char c);
int uart_getc(uint16_t port);

/* The console's port. */
void serial_init(uint16_t port);
void serial_putc(char c);
/* Returns -1 if no byte is waiting. */
int serial_getc(void);
/* Waits until every byte has left the transmitter. */
void serial_drain(void);
uint16_t serial_port(void);

#endif
