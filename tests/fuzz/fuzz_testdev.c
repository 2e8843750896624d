/*
 * tests/fuzz/fuzz_testdev.c - the MMIO test device (devices/testdev.c)
 * under any sequence of MMIO accesses to its page, sizes 1-8, any
 * alignment (tests/fuzz/device_fuzz.h), against a shadow copy.
 * Invariants: its RAM window behaves as memory (a read returns the bytes
 * last written, as the shadow holds them); an access touching the window
 * is counted and described by the status registers; the count reset
 * register clears the count.
 */
#include "tests/fuzz/device_fuzz.h"
#include "devices/testdev.c"

/* devices/pci_host.c is not linked: registration always works here. */
bool pci_register(struct vm *vm, struct pci_function *f) { (void)vm; (void)f; return true; }

static const struct device_decl decl = {
	"testdev", &testdev_model, .mmio_base = TESTDEV_BASE, .mmio_len = TESTDEV_SIZE,
};

static uint8_t shadow[TESTDEV_RAM_SIZE];
static uint32_t count;

static void on_write(struct device *d, uint64_t gpa, unsigned size, uint64_t val)
{
	uint64_t off = gpa - TESTDEV_BASE;
	bool hit = false, reset = false;
	for (unsigned i = 0; i < size; i++) {
		if (off + i < TESTDEV_RAM_SIZE) {
			shadow[off + i] = (uint8_t)(val >> (8 * i));
			hit = true;
		} else if (off + i == TESTDEV_RESET) {
			reset = true;
		}
	}
	count += hit;
	if (reset)
		count = 0;
}

static void on_read(struct device *d, uint64_t gpa, unsigned size, uint64_t val)
{
	const struct testdev_state *s = d->state;
	uint64_t off = gpa - TESTDEV_BASE;
	bool hit = false;
	for (unsigned i = 0; i < size; i++)
		if (off + i < TESTDEV_RAM_SIZE) {
			CHECK((uint8_t)(val >> (8 * i)) == shadow[off + i]);
			hit = true;
		}
	count += hit;
	if (hit) {
		CHECK(s->last_offset == off && !s->last_write);
		CHECK(s->last_size >= 1 && s->last_size <= size);
	}
}

static void on_reset(struct device *d)
{
	memset(shadow, 0, sizeof(shadow));
	count = 0;
}

static void check(struct device *d)
{
	const struct testdev_state *s = d->state;
	CHECK(memcmp(s->ram, shadow, sizeof(shadow)) == 0);
	CHECK(s->count == count);
	CHECK(s->last_offset < TESTDEV_RAM_SIZE && s->last_size <= 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_dev h = { .decl = &decl, .check = check, .on_write = on_write,
					   .on_read = on_read, .on_reset = on_reset };
	on_reset(NULL);
	fuzz_dev_run(&h, data, size);
	return 0;
}
