/* arch/x86/serial.h - the host's own 16550 serial port (polled). */
#ifndef YAKVM_ARCH_X86_SERIAL_H
#define YAKVM_ARCH_X86_SERIAL_H

#include <stdint.h>
#include <stdbool.h>

void serial_init(uint16_t port);
void serial_putc(char c);
/* Returns -1 if no byte is waiting. */
int serial_getc(void);
/* Waits until every byte has left the transmitter. */
void serial_drain(void);
uint16_t serial_port(void);

#endif
