/*
 * tests/fuzz/fuzz_uart.c - the 16550A UART (devices/uart16550.c) under any
 * sequence of accesses to 0x3f8-0x3ff, host input and time steps
 * (tests/fuzz/device_fuzz.h).
 * Invariants: the receive FIFO and the host input buffer stay within their
 * bounds (one byte without FIFO); IRQ 4 is what the model says it drives,
 * and is high only with OUT2 set; IIR reads a defined interrupt ID.
 */
#include "tests/fuzz/device_fuzz.h"
#include "devices/uart16550.c"

static const struct device_decl decl = {
	"uart0", &uart16550_model, .pio = { { 0x3f8, 8 } }, .irq = 4,
};

static unsigned console_bytes;
void console_vm_putc(struct console_line *line, const char *vm_name, char c) { console_bytes++; }
bool console_vm_room(struct console_line *line) { return true; }
bool bus_io_retry(void) { return false; }

static void check(struct device *d)
{
	const struct uart *u = d->state;
	CHECK(u->rx_head < RX_FIFO);
	CHECK(u->rx_count <= rx_capacity(u));
	CHECK(u->in_head < UART_INPUT_BUF && u->in_count <= UART_INPUT_BUF);
	CHECK(fake_irq_level[4] == u->irq_high);
	CHECK(!u->irq_high || (u->mcr & MCR_OUT2));
	/* IIR without its side effect (a read acknowledges THRE). */
	uint8_t id = iir(u) & 0x0f;
	CHECK(id == IIR_NONE || id == IIR_MS || id == IIR_THRE || id == IIR_RDA ||
	      id == IIR_RLS || id == IIR_TO);
}

/* Host input: up to 7 bytes of (where, val). */
static void extra(struct device *d, uint16_t where, uint32_t val)
{
	char bytes[6] = { (char)where, (char)(where >> 8) };
	memcpy(bytes + 2, &val, 4);
	uart_receive(d, bytes, where % 7);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_dev h = { .decl = &decl, .check = check, .extra = extra };
	fuzz_dev_run(&h, data, size);
	return 0;
}
