/*
 * tests/fuzz/fuzz_testdev.c - the MMIO test device (devices/testdev.c)
 * under any sequence of MMIO accesses to its page, sizes 1-8, any
 * alignment (tests/fuzz/device_fuzz.h), against a shadow copy.
 * Invariants: its RAM window behaves as memory (a read returns the bytes
 * last written, as the shadow holds them); an access touching the window
 * is counted and described by the status registers; the count reset
 * register clears the count. Its second page (BAR 1, MSI-X) and its
 * interrupt registers are in range too; the extra action is a
 * configuration write (command register, MSI-X message control). Each
 * message sent goes to a vector that was deliverable; INTx is never
 * asserted while MSI-X is on or command bit 10 is set.
 */
#include "tests/fuzz/device_fuzz.h"
#include "devices/testdev.c"
#include "devices/msix.c"

static int intx_level;

/* devices/pci_host.c is not linked: registration always works here, and
 * makes the command register writable as it does. */
bool pci_register(struct vm *vm, struct pci_function *f)
{
	f->wmask[PCI_COMMAND] |= 0x7;
	f->wmask[PCI_COMMAND + 1] |= PCI_COMMAND_INTX_DISABLE >> 8;
	return true;
}

void pci_intx_set(struct pci_function *f, bool asserted) { intx_level = asserted; }

/* Every message comes from an entry that may send it now. */
void msi_send(struct vm *vm, uint64_t addr, uint32_t data)
{
	const struct testdev_state *s = fuzz_device.state;
	const struct msix *m = &s->msix;
	CHECK(m->enabled && !m->maskall);
	bool from = false;
	for (unsigned v = 0; v < m->nvec; v++)
		from |= !(m->table[v].ctrl & 1) && m->table[v].data == data &&
			((uint64_t)m->table[v].addr_hi << 32 | m->table[v].addr_lo) == addr;
	CHECK(from);
}

static const struct device_decl decl = {
	"testdev", &testdev_model, .mmio_base = TESTDEV_BASE,
	.mmio_len = TESTDEV_SIZE + TESTDEV_MSIX_SIZE,	/* BAR 0 and BAR 1 */
};

/* A configuration write as pci_host.c makes it: the command register or
 * the MSI-X capability's first dword, through wmask, then the model told. */
static void extra(struct device *d, uint16_t where, uint32_t val)
{
	struct testdev_state *s = d->state;
	struct pci_function *f = &s->pci;
	unsigned reg = where & 1 ? s->msix.cap : PCI_COMMAND;
	for (unsigned i = 0; i < 4; i++)
		f->cfg[reg + i] = (uint8_t)((f->cfg[reg + i] & ~f->wmask[reg + i]) |
					    ((uint8_t)(val >> (8 * i)) & f->wmask[reg + i]));
	f->config_written(f, reg);
}

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
	uint16_t cmd = (uint16_t)(s->pci.cfg[PCI_COMMAND] | s->pci.cfg[PCI_COMMAND + 1] << 8);
	CHECK(intx_level == (s->intx && !s->msix.enabled && !(cmd & PCI_COMMAND_INTX_DISABLE)));
	CHECK(!(s->msix.pending >> s->msix.nvec));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_dev h = { .decl = &decl, .check = check, .on_write = on_write,
					   .on_read = on_read, .on_reset = on_reset, .extra = extra };
	on_reset(NULL);
	fuzz_dev_run(&h, data, size);
	return 0;
}
