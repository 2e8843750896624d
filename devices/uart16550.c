/*
 * devices/uart16550.c - a 16550A UART (National Semiconductor PC16550D data
 * sheet): the register set with DLAB, 16-byte receive FIFO with the FCR
 * trigger levels, loopback (MCR bit 4), the interrupt identification logic
 * (Table IV of the data sheet), and transmit straight to the VM's console
 * line (so the transmitter is always empty: THRE and TEMT read 1).
 *
 * Interrupt sources, highest priority first, each enabled by an IER bit:
 *   0x06 receiver line status (IER bit 2): overrun error in LSR
 *   0x04 received data available (IER bit 0): FIFO at its trigger level
 *   0x0c character timeout (IER bit 0): data below the trigger level.
 *        Simplified: reported at once instead of after 4 character times.
 *   0x02 THR empty (IER bit 1): cleared by reading IIR while it is the
 *        source or by writing THR; set again when the byte has gone (at
 *        once) and when IER bit 1 goes from 0 to 1 ("THRE on enable").
 *   0x00 modem status (IER bit 3): a delta bit in MSR, cleared by reading it
 *   0x01 none. IIR bits 7:6 are set while the FIFOs are enabled (FCR bit 0).
 * As on PC serial cards, the interrupt reaches the IRQ line only while
 * MCR bit 3 (OUT2) is set.
 */
#include <stdbool.h>
#include "devices/device.h"
#include "devices/uart16550.h"
#include "devices/irq.h"
#include "devices/bus.h"
#include "core/vm/vm.h"
#include "core/console/console.h"

enum { RBR_THR = 0, IER = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

#define IER_RDA   0x01
#define IER_THRE  0x02
#define IER_RLS   0x04
#define IER_MS    0x08

#define IIR_NONE  0x01
#define IIR_MS    0x00
#define IIR_THRE  0x02
#define IIR_RDA   0x04
#define IIR_RLS   0x06
#define IIR_TO    0x0c
#define IIR_FIFO  0xc0

#define FCR_ENABLE   0x01
#define FCR_CLR_RX   0x02
#define FCR_CLR_TX   0x04
#define FCR_DMA      0x08
#define FCR_TRIGGER  0xc0

#define LCR_DLAB  0x80

#define MCR_DTR   0x01
#define MCR_RTS   0x02
#define MCR_OUT1  0x04
#define MCR_OUT2  0x08
#define MCR_LOOP  0x10

#define LSR_DR    0x01
#define LSR_OE    0x02
#define LSR_THRE  0x20
#define LSR_TEMT  0x40

#define MSR_DELTAS 0x0f
#define MSR_TERI   0x04
#define MSR_CTS    0x10
#define MSR_DSR    0x20
#define MSR_RI     0x40
#define MSR_DCD    0x80
#define MSR_IDLE_LINE (MSR_DCD | MSR_DSR | MSR_CTS)   /* a terminal that is there */

#define RX_FIFO   16

struct uart {
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	uint8_t msr;             /* bits 7:4 inputs, 3:0 deltas */
	bool overrun;            /* LSR.OE */
	bool thre_pending;
	bool irq_high;
	uint8_t rx[RX_FIFO];
	unsigned rx_head, rx_count;
	uint8_t in[UART_INPUT_BUF];   /* host input not yet in the FIFO */
	unsigned in_head, in_count;
};

static const uint8_t trigger_levels[4] = { 1, 4, 8, 14 };

static bool fifo_on(const struct uart *u) { return u->fcr & FCR_ENABLE; }
static unsigned rx_capacity(const struct uart *u) { return fifo_on(u) ? RX_FIFO : 1; }
static unsigned rx_trigger(const struct uart *u)
{
	return fifo_on(u) ? trigger_levels[u->fcr >> 6] : 1;
}

static uint8_t modem_inputs(const struct uart *u)
{
	if (!(u->mcr & MCR_LOOP))
		return MSR_IDLE_LINE;
	/* Loopback: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
	return (uint8_t)(((u->mcr & MCR_DTR) ? MSR_DSR : 0) | ((u->mcr & MCR_RTS) ? MSR_CTS : 0) |
			 ((u->mcr & MCR_OUT1) ? MSR_RI : 0) | ((u->mcr & MCR_OUT2) ? MSR_DCD : 0));
}

/* New modem inputs: record the delta bits (RI: trailing edge only). */
static void set_modem_inputs(struct uart *u, uint8_t in)
{
	uint8_t old = u->msr & 0xf0, changed = old ^ in;
	uint8_t deltas = (uint8_t)(((changed & MSR_CTS) ? 0x01 : 0) | ((changed & MSR_DSR) ? 0x02 : 0) |
				   ((changed & old & MSR_RI) ? MSR_TERI : 0) | ((changed & MSR_DCD) ? 0x08 : 0));
	u->msr = (uint8_t)(in | (u->msr & MSR_DELTAS) | deltas);
}

static uint8_t iir(const struct uart *u)
{
	uint8_t id;
	if ((u->ier & IER_RLS) && u->overrun)
		id = IIR_RLS;
	else if ((u->ier & IER_RDA) && u->rx_count >= rx_trigger(u))
		id = IIR_RDA;
	else if ((u->ier & IER_RDA) && u->rx_count)
		id = IIR_TO;
	else if ((u->ier & IER_THRE) && u->thre_pending)
		id = IIR_THRE;
	else if ((u->ier & IER_MS) && (u->msr & MSR_DELTAS))
		id = IIR_MS;
	else
		id = IIR_NONE;
	return (uint8_t)(id | (fifo_on(u) ? IIR_FIFO : 0));
}

static void update_irq(struct device *d)
{
	struct uart *u = d->state;
	bool high = !(iir(u) & IIR_NONE) && (u->mcr & MCR_OUT2);
	if (high != u->irq_high) {
		u->irq_high = high;
		vm_irq_set(d->vm, d->decl->irq, high);
	}
}

static void rx_push(struct uart *u, uint8_t c)
{
	if (u->rx_count >= rx_capacity(u)) {
		u->overrun = true;   /* the new byte is lost; the FIFO keeps its bytes */
		return;
	}
	u->rx[(u->rx_head + u->rx_count++) % RX_FIFO] = c;
}

/* Moves host input into the FIFO while there is room (not in loopback:
 * there the receiver is cut off from the serial input). */
static void refill(struct uart *u)
{
	while (u->in_count && u->rx_count < rx_capacity(u) && !(u->mcr & MCR_LOOP)) {
		rx_push(u, u->in[u->in_head]);
		u->in_head = (u->in_head + 1) % UART_INPUT_BUF;
		u->in_count--;
	}
}

static void rx_clear(struct uart *u)
{
	u->rx_head = u->rx_count = 0;
}

static void uart_reset(struct device *d)
{
	struct uart *u = d->state;
	bool was_high = u->irq_high;
	*u = (struct uart){ .dll = 1, .irq_high = was_high };
	u->msr = MSR_IDLE_LINE;
	update_irq(d);
}

void uart_receive(struct device *d, const char *bytes, size_t n)
{
	struct uart *u = d->state;
	uint64_t f = device_lock(d);
	for (size_t i = 0; i < n && u->in_count < UART_INPUT_BUF; i++)
		u->in[(u->in_head + u->in_count++) % UART_INPUT_BUF] = (uint8_t)bytes[i];
	refill(u);
	update_irq(d);
	device_unlock(d, f);
}

static uint8_t read_reg(struct device *d, struct uart *u, unsigned reg)
{
	uint8_t v;
	switch (reg) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		if (!u->rx_count)
			return 0;
		v = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % RX_FIFO;
		u->rx_count--;
		refill(u);
		return v;
	case IER:
		return u->lcr & LCR_DLAB ? u->dlm : u->ier;
	case IIR_FCR:
		v = iir(u);
		if ((v & 0x0f) == IIR_THRE)
			u->thre_pending = false;
		return v;
	case LCR:
		return u->lcr;
	case MCR:
		return u->mcr;
	case LSR:
		/* The transmitter is busy while the VM's console queue is full
		 * (flow control a polling writer obeys; core/console/console.h). */
		v = (console_vm_room(&d->vm->console) ? LSR_THRE | LSR_TEMT : 0) |
		    (u->rx_count ? LSR_DR : 0) | (u->overrun ? LSR_OE : 0);
		u->overrun = false;
		return v;
	case MSR:
		v = u->msr;
		u->msr &= ~MSR_DELTAS;
		return v;
	default:
		return u->scr;
	}
}

static void write_reg(struct device *d, struct uart *u, unsigned reg, uint8_t b)
{
	switch (reg) {
	case RBR_THR:
		if (u->lcr & LCR_DLAB) {
			u->dll = b;
			break;
		}
		if (u->mcr & MCR_LOOP)
			rx_push(u, b);
		else if (!console_vm_room(&d->vm->console) && bus_io_retry())
			break;	/* THR busy: the VM's console queue is full */
		else
			console_vm_putc(&d->vm->console, d->vm->name, (char)b);
		u->thre_pending = true;   /* sent at once: THR is empty again */
		break;
	case IER:
		if (u->lcr & LCR_DLAB) {
			u->dlm = b;
			break;
		}
		if ((b & IER_THRE) && !(u->ier & IER_THRE))
			u->thre_pending = true;   /* THR is always empty here */
		u->ier = b & 0x0f;
		break;
	case IIR_FCR:
		if ((b ^ u->fcr) & FCR_ENABLE)   /* enabling or disabling clears both FIFOs */
			rx_clear(u);
		if (b & FCR_CLR_RX)
			rx_clear(u);
		u->fcr = b & (FCR_ENABLE | FCR_DMA | FCR_TRIGGER);
		refill(u);
		break;
	case LCR:
		u->lcr = b;
		break;
	case MCR:
		u->mcr = b & 0x1f;
		set_modem_inputs(u, modem_inputs(u));
		refill(u);
		break;
	case SCR:
		u->scr = b;
		break;
	}
}

static uint32_t uart_read(struct device *d, uint16_t port, unsigned size)
{
	uint8_t v = read_reg(d, d->state, (unsigned)(port - d->decl->pio[0].base));
	update_irq(d);
	return v;
}

static void uart_write(struct device *d, uint16_t port, unsigned size, uint32_t val)
{
	write_reg(d, d->state, (unsigned)(port - d->decl->pio[0].base), (uint8_t)val);
	update_irq(d);
}

const struct device_model uart16550_model = {
	.name = "uart16550",
	.state_size = sizeof(struct uart),
	.reset = uart_reset,
	.pio_read = uart_read,
	.pio_write = uart_write,
};
