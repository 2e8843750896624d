/*
 * arch/x86/serial.c - the host's 16550 UARTs at 115200 8N1, polled (no
 * interrupts): the console's port, and any other port by its base (the gdb
 * stub's, core/gdb/gdbstub.c). Register offsets per the 16550A data sheet.
 */
#include "arch/x86/serial.h"
#include "arch/x86/cpu.h"

enum { THR = 0, RBR = 0, DLL = 0, IER = 1, DLM = 1, FCR = 2, LCR = 3,
       MCR = 4, LSR = 5 };
#define LSR_DR   0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

static uint16_t base;	/* the console's */

void uart_init(uint16_t port)
{
	outb(port + IER, 0x00);
	outb(port + LCR, 0x80);	/* DLAB: divisor 1 = 115200 baud */
	outb(port + DLL, 0x01);
	outb(port + DLM, 0x00);
	outb(port + LCR, 0x03);	/* 8N1 */
	outb(port + FCR, 0x07);	/* FIFOs on and cleared */
	outb(port + MCR, 0x03);	/* DTR, RTS */
}

/* Polls the line status until `bit` is set. An emulator's UART stays busy
 * while its host is loaded (seen under QEMU as lost characters when a byte
 * was written before THRE, and as a cut last line when the run ended before
 * TEMT), so a wait may be long. A port with nothing behind it reads 0xff
 * (every bit set); one that stays busy for ~10^8 polls is taken as stuck,
 * and from then on is waited for only briefly. */
static bool stuck;

static void wait_lsr(uint16_t port, uint8_t bit)
{
	long limit = stuck ? 100000 : 100000000;
	long i = 0;
	while (!(inb(port + LSR) & bit) && ++i < limit)
		cpu_relax();
	if (i == limit)
		stuck = true;
}

void uart_putc(uint16_t port, char c)
{
	if (!port)
		return;
	wait_lsr(port, LSR_THRE);	/* or the byte overwrites one not yet sent */
	outb(port + THR, (uint8_t)c);
}

int uart_getc(uint16_t port)
{
	uint8_t lsr = inb(port + LSR);
	if (lsr == 0xff || !(lsr & LSR_DR))
		return -1;
	return inb(port + RBR);
}

void serial_init(uint16_t port)
{
	base = port;
	uart_init(port);
}

uint16_t serial_port(void) { return base; }

void serial_putc(char c) { uart_putc(base, c); }

int serial_getc(void) { return uart_getc(base); }

/* The same bound as a byte's: the last line before the run ends (on_idle=exit)
 * is out before the emulator is told to exit, however loaded its host. */
void serial_drain(void)
{
	if (base)
		wait_lsr(base, LSR_TEMT);
}
