/*
 * tests/fuzz/fuzz_sysctl.c - port 0x92 (system control port A) and the POST
 * port 0x80 (devices/sysctl.c) under any sequence of accesses
 * (tests/fuzz/device_fuzz.h).
 * Invariants: port A holds only the A20 bit (the reset bit reads 0 after
 * the reset it asked for); every write to port A with bit 0 set asks for
 * exactly one VM reset, and nothing else does.
 */
#include "tests/fuzz/device_fuzz.h"
#include "devices/sysctl.c"

static const struct device_decl decl = {
	"sysctl", &sysctl_model, .pio = { { 0x80, 1 }, { 0x92, 1 } },
};

static unsigned resets, expected_resets;
void vm_request_reset(struct vm *vm) { resets++; }

static void on_write(struct device *d, uint64_t port, unsigned size, uint64_t val)
{
	if (port == PORT_SYSCTL_A && (val & A_RESET))
		expected_resets++;
}

static void check(struct device *d)
{
	const struct sysctl *s = d->state;
	CHECK((s->port_a & ~A_A20) == 0);
	CHECK(resets == expected_resets);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_dev h = { .decl = &decl, .check = check, .on_write = on_write };
	resets = expected_resets = 0;
	fuzz_dev_run(&h, data, size);
	return 0;
}
