/*
 * tests/unit/test_uart.c - devices/uart16550.c: each IIR source and their
 * priority, THRE on enable, OUT2 gating of the IRQ line, FIFO trigger
 * levels, overrun, loopback with MSR, and uart_receive() buffering more
 * than the FIFO holds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "tests/unit/fake_platform.h"
#include "devices/device.h"
#include "devices/bus.h"
#include "devices/uart16550.h"
#include "core/vm/vm.h"
#include "core/console/console.h"

extern const struct device_model uart16550_model;

#define BASE 0x3f8
enum { THR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

static const struct device_decl decl = { "uart0", &uart16550_model, .pio = { { BASE, 8 } }, .irq = 4 };
static struct vm vm;
static _Alignas(16) uint8_t state[4096];
static struct device dev;
static int lock_depth;
static char tx[1024];
static size_t tx_len;

uint64_t device_lock(struct device *d)
{
	assert_int_equal(lock_depth, 0);
	lock_depth++;
	return 0;
}

void device_unlock(struct device *d, uint64_t f) { lock_depth--; }

/* The VM's console queue has room unless a test says otherwise. */
static bool console_full;
bool console_vm_room(struct console_line *line) { return !console_full; }
static bool retried;
bool bus_io_retry(void) { retried = true; return true; }

void console_vm_putc(struct console_line *line, const char *vm_name, char c)
{
	assert_ptr_equal(line, &vm.console);
	if (tx_len < sizeof(tx))
		tx[tx_len++] = c;
}

static void power_on(void)
{
	fake_platform_reset();
	memset(&vm, 0, sizeof(vm));
	strcpy(vm.name, "t");
	memset(state, 0, sizeof(state));
	assert_true(uart16550_model.state_size <= sizeof(state));
	dev = (struct device){ .decl = &decl, .vm = &vm, .state = state };
	tx_len = 0;
	console_full = retried = false;
	uart16550_model.reset(&dev);
}

static uint8_t rd(unsigned reg) { return (uint8_t)uart16550_model.pio_read(&dev, BASE + reg, 1); }
static void wr(unsigned reg, uint8_t v) { uart16550_model.pio_write(&dev, BASE + reg, 1, v); }
static void recv(const char *s) { uart_receive(&dev, s, strlen(s)); }
static int line(void) { return fake_irq_level[4]; }

static void test_reset_state(void **st)
{
	power_on();
	assert_int_equal(rd(IIR), 0x01);
	assert_int_equal(rd(LSR), 0x60);
	assert_int_equal(rd(IER), 0x00);
	assert_int_equal(rd(MSR), 0xb0);
	wr(LCR, 0x80);
	assert_int_equal(rd(THR), 0x01);   /* divisor latch 1 */
	wr(THR, 0x0c);
	wr(IER, 0x12);                     /* the divisor's high byte, not IER */
	assert_int_equal(rd(THR), 0x0c);
	assert_int_equal(rd(IER), 0x12);
	wr(LCR, 0x03);
	assert_int_equal(rd(IER), 0x00);
	wr(IER, 0x0f);
	assert_int_equal(rd(IER), 0x0f);
	wr(IER, 0xff);
	assert_int_equal(rd(IER), 0x0f);   /* bits 7:4 read 0 */
	wr(IER, 0x00);
	wr(LCR, 0x03);
	assert_int_equal(rd(LCR), 0x03);
	wr(SCR, 0x5a);
	assert_int_equal(rd(SCR), 0x5a);
	assert_int_equal(fake_irq_count, 0);
}

static void test_transmit(void **st)
{
	power_on();
	wr(THR, 'h');
	wr(THR, 'i');
	assert_int_equal(tx_len, 2);
	assert_memory_equal(tx, "hi", 2);
	assert_int_equal(rd(LSR) & 0x60, 0x60);
	/* THR empty without IER.THRE: no interrupt. */
	wr(MCR, 0x08);
	wr(IER, 0x0d);
	wr(THR, '!');
	assert_int_equal(rd(IIR), 0x01);
	assert_int_equal(line(), 0);
	assert_int_equal(fake_irq_count, 0);
}

/* While the VM's console queue is full the transmitter is busy: LSR shows
 * THRE and TEMT clear, and a byte written anyway is not taken but retried
 * (the vCPU runs the OUT again), so no byte is lost. */
static void test_busy_transmitter(void **st)
{
	power_on();
	console_full = true;
	assert_int_equal(rd(LSR) & 0x60, 0);
	wr(THR, 'x');
	assert_true(retried);
	assert_int_equal(tx_len, 0);
	console_full = false;
	assert_int_equal(rd(LSR) & 0x60, 0x60);
	wr(THR, 'x');
	assert_int_equal(tx_len, 1);
}

static void test_thre_interrupt(void **st)
{
	power_on();
	wr(MCR, 0x08);                     /* OUT2 */
	assert_int_equal(line(), 0);
	wr(IER, 0x02);                     /* THRE on enable */
	assert_int_equal(rd(IIR), 0x02);   /* reading IIR clears it */
	assert_int_equal(line(), 0);
	assert_int_equal(rd(IIR), 0x01);
	wr(THR, 'x');                      /* sent: THR empty again */
	assert_int_equal(line(), 1);
	assert_int_equal(rd(IIR), 0x02);
	assert_int_equal(line(), 0);
	/* Re-enabling with THR empty raises it again (Linux relies on it). */
	wr(IER, 0x00);
	wr(IER, 0x02);
	assert_int_equal(line(), 1);
	/* Disabling IER.THRE drops it. */
	wr(IER, 0x00);
	assert_int_equal(line(), 0);
	assert_int_equal(rd(IIR), 0x01);
	/* Writing IER again with THRE already on does not re-raise it. */
	wr(IER, 0x02);
	rd(IIR);
	wr(IER, 0x03);
	assert_int_equal(rd(IIR), 0x01);
}

static void test_out2_gating(void **st)
{
	power_on();
	wr(IER, 0x01);
	recv("a");
	assert_int_equal(rd(IIR), 0x04);   /* pending... */
	assert_int_equal(line(), 0);       /* ...but OUT2 is clear */
	assert_int_equal(fake_irq_count, 0);
	wr(MCR, 0x08);
	assert_int_equal(line(), 1);
	wr(MCR, 0x03);
	assert_int_equal(line(), 0);
	wr(MCR, 0x0b);
	assert_int_equal(line(), 1);
	assert_int_equal(rd(THR), 'a');
	assert_int_equal(line(), 0);
	assert_int_equal(rd(IIR), 0x01);
}

static void test_rda_and_timeout(void **st)
{
	power_on();
	wr(MCR, 0x08);
	wr(IER, 0x01);
	/* No FIFO (16450 mode): one byte is "data available". */
	recv("x");
	assert_int_equal(rd(IIR), 0x04);
	assert_int_equal(rd(LSR) & 0x01, 0x01);
	assert_int_equal(rd(THR), 'x');
	assert_int_equal(rd(LSR) & 0x01, 0x00);
	assert_int_equal(line(), 0);

	/* FIFO with each trigger level: below it a timeout (0x0c), at it
	 * data available (0x04); bits 7:6 set. */
	static const struct { uint8_t fcr; unsigned level; } lv[] = {
		{ 0x01, 1 }, { 0x41, 4 }, { 0x81, 8 }, { 0xc1, 14 },
	};
	for (unsigned i = 0; i < 4; i++) {
		wr(FCR, lv[i].fcr | 0x06);
		assert_int_equal(rd(IIR), 0xc1);
		for (unsigned n = 1; n <= lv[i].level; n++) {
			recv("d");
			uint8_t want = n < lv[i].level ? 0xcc : 0xc4;
			if (rd(IIR) != want)
				fail_msg("trigger %u, %u bytes: IIR %#x, want %#x",
					 lv[i].level, n, rd(IIR), want);
			assert_int_equal(line(), 1);
		}
		/* Reading drops back below the level: a timeout again. */
		rd(THR);
		if (lv[i].level > 1)
			assert_int_equal(rd(IIR), 0xcc);
	}
	/* FCR bit 1 empties the receive FIFO. */
	wr(FCR, 0xc3);
	assert_int_equal(rd(IIR), 0xc1);
	assert_int_equal(rd(LSR) & 0x01, 0);
	assert_int_equal(line(), 0);
	/* Turning the FIFO off: IIR bits 7:6 clear. */
	wr(FCR, 0x00);
	assert_int_equal(rd(IIR), 0x01);
}

static void test_overrun_and_rls(void **st)
{
	power_on();
	wr(MCR, 0x18);                     /* loopback + OUT2 */
	wr(FCR, 0xc1);
	for (int i = 0; i < 17; i++)
		wr(THR, (uint8_t)('A' + i));
	assert_int_equal(tx_len, 0);       /* loopback: nothing leaves */
	wr(IER, 0x05);                     /* RLS and RDA */
	assert_int_equal(rd(IIR), 0xc6);   /* line status beats data */
	assert_int_equal(line(), 1);
	assert_int_equal(rd(LSR), 0x63);   /* DR, OE, THRE, TEMT */
	assert_int_equal(rd(LSR), 0x61);   /* OE clears on read */
	assert_int_equal(rd(IIR), 0xc4);
	for (int i = 0; i < 16; i++)       /* the FIFO kept the first 16 */
		assert_int_equal(rd(THR), 'A' + i);
	assert_int_equal(rd(IIR), 0xc1);
	assert_int_equal(line(), 0);

	/* Without FIFO, a second byte overruns the holding register. */
	wr(FCR, 0x00);
	wr(THR, '1');
	wr(THR, '2');
	assert_int_equal(rd(LSR), 0x63);
	assert_int_equal(rd(THR), '1');
}

static void test_priorities(void **st)
{
	power_on();
	wr(MCR, 0x08);
	wr(FCR, 0x41);                     /* trigger level 4 */
	/* MS lowest: a modem status change via loopback. */
	wr(MCR, 0x18);
	wr(MCR, 0x19);                     /* DTR -> DSR changes */
	rd(MSR);
	wr(MCR, 0x18);                     /* DSR drops: delta */
	wr(IER, 0x08);
	assert_int_equal(rd(IIR), 0xc0);
	/* THRE beats MS. */
	wr(IER, 0x0a);
	assert_int_equal(rd(IIR), 0xc2);   /* clears THRE... */
	assert_int_equal(rd(IIR), 0xc0);   /* ...MS is next */
	/* Data beats THRE. */
	wr(THR, 'z');                      /* looped back; THRE pending again */
	wr(IER, 0x0b);
	assert_int_equal(rd(IIR), 0xcc);
	/* Overrun beats data. */
	for (int i = 0; i < 16; i++)
		wr(THR, 'z');
	wr(IER, 0x0f);
	assert_int_equal(rd(IIR), 0xc6);
	rd(LSR);
	assert_int_equal(rd(IIR), 0xc4);
	wr(FCR, 0x03);                     /* empty the FIFO */
	assert_int_equal(rd(IIR), 0xc2);   /* IIR read clears THRE */
	assert_int_equal(rd(IIR), 0xc0);
	assert_int_equal(rd(MSR) & 0x0f, 0x02);   /* DDSR; reading clears it */
	assert_int_equal(rd(IIR), 0xc1);
	assert_int_equal(line(), 0);
}

static void test_loopback_msr(void **st)
{
	power_on();
	assert_int_equal(rd(MSR), 0xb0);
	wr(MCR, 0x10);
	assert_int_equal(rd(MSR) & 0xf0, 0x00);
	wr(MCR, 0x11);
	assert_int_equal(rd(MSR) & 0xf0, 0x20);   /* DTR -> DSR */
	wr(MCR, 0x12);
	assert_int_equal(rd(MSR), 0x13);          /* RTS -> CTS, DCTS, DDSR */
	wr(MCR, 0x14);
	assert_int_equal(rd(MSR), 0x41);          /* OUT1 -> RI */
	wr(MCR, 0x18);
	assert_int_equal(rd(MSR), 0x8c);          /* OUT2 -> DCD, DDCD; RI fell: TERI */
	wr(MCR, 0x1f);
	assert_int_equal(rd(MSR) & 0xf0, 0xf0);
	/* Loopback: transmit comes back; host input waits outside. */
	recv("k");
	assert_int_equal(rd(LSR) & 0x01, 0);
	wr(THR, 'L');
	assert_int_equal(rd(THR), 'L');
	assert_int_equal(tx_len, 0);
	wr(MCR, 0x00);
	assert_int_equal(rd(THR), 'k');
	wr(THR, 'o');
	assert_int_equal(tx_len, 1);
}

static void test_receive_buffering(void **st)
{
	power_on();
	wr(FCR, 0x07);
	char text[300];
	for (int i = 0; i < 300; i++)
		text[i] = (char)(' ' + i % 90);
	uart_receive(&dev, text, 100);
	uart_receive(&dev, text + 100, 200);     /* 44 bytes too many: dropped */
	assert_int_equal(lock_depth, 0);
	unsigned n = 0;
	while (rd(LSR) & 0x01) {
		assert_int_equal(rd(THR), (uint8_t)text[n]);
		n++;
		assert_true(n <= 300);
	}
	assert_int_equal(n, UART_INPUT_BUF + 16);
	assert_int_equal(rd(LSR) & 0x02, 0);     /* host input never overruns */
	/* After draining, later input still arrives, in order. */
	recv("ok");
	assert_int_equal(rd(THR), 'o');
	assert_int_equal(rd(THR), 'k');
	assert_int_equal(rd(LSR) & 0x01, 0);
	assert_int_equal(rd(THR), 0);            /* empty reads 0 */
}

static void test_receive_without_fifo(void **st)
{
	/* 16450 mode: one byte at a time, but nothing is lost. */
	power_on();
	recv("abc");
	assert_int_equal(rd(THR), 'a');
	assert_int_equal(rd(THR), 'b');
	assert_int_equal(rd(THR), 'c');
	assert_int_equal(rd(LSR) & 0x03, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_state),
		cmocka_unit_test(test_transmit),
		cmocka_unit_test(test_busy_transmitter),
		cmocka_unit_test(test_thre_interrupt),
		cmocka_unit_test(test_out2_gating),
		cmocka_unit_test(test_rda_and_timeout),
		cmocka_unit_test(test_overrun_and_rls),
		cmocka_unit_test(test_priorities),
		cmocka_unit_test(test_loopback_msr),
		cmocka_unit_test(test_receive_buffering),
		cmocka_unit_test(test_receive_without_fifo),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
