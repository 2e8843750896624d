/*
 * arch/x86/serial.c - the host console's UART: a PC 16550 at 115200 8N1,
 * polled (no interrupts). Register offsets per the 16550A data sheet.
 */
#include "arch/x86/serial.h"
#include "arch/x86/cpu.h"

enum { THR = 0, RBR = 0, DLL = 0, IER = 1, DLM = 1, FCR = 2, LCR = 3,
       MCR = 4, LSR = 5 };
#define LSR_DR   0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

static uint16_t base;

void serial_init(uint16_t port)
{
	base = port;
	outb(base + IER, 0x00);
	outb(base + LCR, 0x80);	/* DLAB: divisor 1 = 115200 baud */
	outb(base + DLL, 0x01);
	outb(base + DLM, 0x00);
	outb(base + LCR, 0x03);	/* 8N1 */
	outb(base + FCR, 0x07);	/* FIFOs on and cleared */
	outb(base + MCR, 0x03);	/* DTR, RTS */
}

uint16_t serial_port(void) { return base; }

void serial_putc(char c)
{
	if (!base)
		return;
	/* A port with nothing behind it reads 0xff: do not wait forever. */
	for (int i = 0; i < 100000 && !(inb(base + LSR) & LSR_THRE); i++)
		cpu_relax();
	outb(base + THR, (uint8_t)c);
}

int serial_getc(void)
{
	uint8_t lsr = inb(base + LSR);
	if (lsr == 0xff || !(lsr & LSR_DR))
		return -1;
	return inb(base + RBR);
}

void serial_drain(void)
{
	for (int i = 0; i < 1000000 && !(inb(base + LSR) & LSR_TEMT); i++)
		cpu_relax();
}
