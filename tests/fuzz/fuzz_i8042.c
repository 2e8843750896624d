/*
 * tests/fuzz/fuzz_i8042.c - the keyboard controller (devices/i8042.c) under
 * any sequence of accesses to 0x60/0x64 (tests/fuzz/device_fuzz.h).
 * Invariants: the input buffer never reads full (writes are handled at
 * once); status SYS follows the command byte; IRQ 1 is high exactly while
 * the output buffer is full and the keyboard interrupt enabled; the reset
 * line in the output port always reads released; a pending RAM write
 * targets controller RAM.
 */
#include "tests/fuzz/device_fuzz.h"
#include "devices/i8042.c"

static const struct device_decl decl = {
	"i8042", &i8042_model, .pio = { { 0x60, 1 }, { 0x64, 1 } }, .irq = 1,
};

static unsigned resets;
void vm_request_reset(struct vm *vm) { resets++; }

static void check(struct device *d)
{
	const struct i8042 *k = d->state;
	CHECK(!(k->status & ST_IBF));
	CHECK(!!(k->status & ST_SYS) == !!(k->ram[0] & CB_SYS));
	bool high = (k->status & ST_OBF) && (k->ram[0] & CB_KBD_INT);
	CHECK(k->irq_high == high && fake_irq_level[1] == high);
	CHECK(k->outport & OP_RESET_N);
	CHECK(k->pending <= PEND_AUX);
	CHECK(k->pending != PEND_RAM || k->pending_addr < RAM_SIZE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_dev h = { .decl = &decl, .check = check };
	fuzz_dev_run(&h, data, size);
	return 0;
}
