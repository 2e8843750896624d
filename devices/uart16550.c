/*
 * devices/uart16550.c - a 16550A UART (National Semiconductor data sheet):
 * the register set with DLAB, a 16-byte receive FIFO, loopback (MCR bit 4),
 * and transmit straight to the VM's console line. Interrupt delivery comes
 * with the interrupt controllers.
 */
#include "devices/device.h"
#include "core/vm.h"
#include "core/console.h"

enum { RBR_THR = 0, IER = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };
#define LCR_DLAB  0x80
#define MCR_LOOP  0x10
#define LSR_DR    0x01
#define LSR_THRE  0x20
#define LSR_TEMT  0x40
#define RX_FIFO   16

struct uart {
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	uint8_t rx[RX_FIFO];
	unsigned rx_head, rx_count;
};

static void uart_reset(struct device *d)
{
	struct uart *u = d->state;
	*u = (struct uart){ .dll = 1 };
}

static void rx_push(struct uart *u, uint8_t c)
{
	if (u->rx_count == RX_FIFO)
		return;	/* overrun: dropped, as the hardware does */
	u->rx[(u->rx_head + u->rx_count++) % RX_FIFO] = c;
}

static uint32_t uart_read(struct device *d, uint16_t port, unsigned size)
{
	struct uart *u = d->state;
	switch (port - d->decl->pio[0].base) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		if (!u->rx_count)
			return 0;
		uint8_t c = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % RX_FIFO;
		u->rx_count--;
		return c;
	case IER:
		return u->lcr & LCR_DLAB ? u->dlm : u->ier;
	case IIR_FCR:
		return (u->fcr & 1 ? 0xc0 : 0) | 0x01;	/* no interrupt pending */
	case LCR:
		return u->lcr;
	case MCR:
		return u->mcr;
	case LSR:
		return LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0);
	case MSR:
		if (u->mcr & MCR_LOOP)	/* loopback: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD */
			return ((u->mcr & 1) << 5) | ((u->mcr & 2) << 3) |
			       ((u->mcr & 4) << 4) | ((u->mcr & 8) << 4);
		return 0xb0;	/* DCD, DSR, CTS */
	default:
		return u->scr;
	}
}

static void uart_write(struct device *d, uint16_t port, unsigned size, uint32_t val)
{
	struct uart *u = d->state;
	uint8_t b = (uint8_t)val;
	switch (port - d->decl->pio[0].base) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB)
			u->dll = b;
		else if (u->mcr & MCR_LOOP)
			rx_push(u, b);
		else
			console_vm_putc(&d->vm->console, d->vm->name, (char)b);
		break;
	case IER:
		if (u->lcr & LCR_DLAB)
			u->dlm = b;
		else
			u->ier = b & 0x0f;
		break;
	case IIR_FCR:
		u->fcr = b & 0xc9;
		if (b & 0x02)
			u->rx_count = 0;
		break;
	case LCR:
		u->lcr = b;
		break;
	case MCR:
		u->mcr = b & 0x1f;
		break;
	case SCR:
		u->scr = b;
		break;
	}
}

const struct device_model uart16550_model = {
	.name = "uart16550",
	.state_size = sizeof(struct uart),
	.reset = uart_reset,
	.pio_read = uart_read,
	.pio_write = uart_write,
};
