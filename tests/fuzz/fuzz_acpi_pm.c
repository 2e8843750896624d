/*
 * tests/fuzz/fuzz_acpi_pm.c - the ACPI PM1a event and control blocks and
 * the reset register (devices/acpi_pm.c) under any sequence of accesses to
 * 0xb000-0xb00c (tests/fuzz/device_fuzz.h); the extra action writes the
 * debug-exit port (devices/debug_exit.c).
 * Invariants: PM1_CNT keeps only BM_RLD and SLP_TYP and always reads
 * SCI_EN set; PM1_EN keeps only the enable bits it implements; the VM ends
 * (S5) or resets only when asked for: SLP_EN with SLP_TYP 5, the reset
 * value written to the reset register, any debug-exit write.
 */
#include "tests/fuzz/device_fuzz.h"
#include "devices/acpi_pm.c"

extern const struct device_model debug_exit_model;

static const struct device_decl decl = {
	"acpi-pm", &acpi_pm_model, .pio = { { ACPI_PM1A_EVT_PORT, ACPI_PM1A_EVT_LEN },
	  { ACPI_PM1A_CNT_PORT, ACPI_PM1A_CNT_LEN }, { ACPI_RESET_PORT, ACPI_RESET_LEN } },
};
static const struct device_decl exit_decl = {
	"debug-exit", &debug_exit_model, .pio = { { 0xf4, 4 } },
};

static unsigned resets, ends, expected_resets, expected_ends;
void vm_request_reset(struct vm *vm) { resets++; }
void vm_end(struct vm *vm, int status, const char *why) { ends++; }

/* The byte of a write that lands on port p, if any. */
static bool byte_at(uint64_t port, unsigned size, uint64_t val, unsigned p, uint8_t *b)
{
	if (p < port || p >= port + size)
		return false;
	*b = (uint8_t)(val >> (8 * (p - port)));
	return true;
}

static void on_write(struct device *d, uint64_t port, unsigned size, uint64_t val)
{
	const struct acpi_pm *s = d->state;
	uint8_t lo, hi, r;
	bool has_lo = byte_at(port, size, val, ACPI_PM1A_CNT_PORT, &lo);
	if (byte_at(port, size, val, ACPI_PM1A_CNT_PORT + 1, &hi)) {
		if (!has_lo)
			lo = (uint8_t)cnt_value(s);
		uint16_t cnt = (uint16_t)(lo | hi << 8);
		if (cnt & ACPI_PM1_CNT_SLP_EN &&
		    ((cnt & ACPI_PM1_CNT_SLP_TYP) >> ACPI_PM1_CNT_SLP_TYP_SHIFT) == ACPI_S5_SLP_TYP) {
			expected_ends++;
			return;
		}
	}
	if (byte_at(port, size, val, ACPI_RESET_PORT, &r) && r == ACPI_RESET_VALUE)
		expected_resets++;
}

static void check(struct device *d)
{
	const struct acpi_pm *s = d->state;
	CHECK((s->cnt & ~(ACPI_PM1_CNT_BM_RLD | ACPI_PM1_CNT_SLP_TYP)) == 0);
	CHECK(cnt_value(s) & ACPI_PM1_CNT_SCI_EN);
	CHECK((s->en & ~PM1_EN_MASK) == 0);
	CHECK(resets == expected_resets && ends == expected_ends);
}

static void extra(struct device *d, uint16_t where, uint32_t val)
{
	struct device x = { .decl = &exit_decl, .vm = d->vm };
	debug_exit_model.pio_write(&x, (uint16_t)(0xf4 + where % 4), 1, val & 0xff);
	expected_ends++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_dev h = { .decl = &decl, .check = check, .extra = extra, .on_write = on_write };
	resets = ends = expected_resets = expected_ends = 0;
	fuzz_dev_run(&h, data, size);
	return 0;
}
