/*
 * tests/fuzz/fuzz_pci_host.c - PCI configuration mechanism #1, the host
 * bridge and a registered function (devices/pci_host.c) under any sequence
 * of accesses to 0xcf8-0xcff (tests/fuzz/device_fuzz.h).
 * The function is 00:03.0 with a 4 KiB memory BAR 0 and a 32-port I/O
 * BAR 2; a fake bus records where its ranges are.
 * Invariants: the address register keeps no reserved bit; the bridge's
 * configuration space never changes (it is read-only); the function's IDs
 * and BAR flag bits never change, its BARs stay aligned to their sizes;
 * each BAR is on the bus exactly when its decode enable is set, at the
 * BAR's base; a data read with no function selected is all ones, and with
 * one selected returns its bytes.
 */
#include "tests/fuzz/device_fuzz.h"
#include "devices/pci_host.c"

static const struct device_decl decl = {
	"pci-host", &pci_host_model, .pio = { { 0xcf8, 8 } },
};

static uint8_t cfg0[CFG_SIZE];

/* ---- the fake bus -------------------------------------------------------- */

static struct range { struct device *d; enum bus_space space; uint64_t base, len; bool on; }
	ranges[8];
static unsigned nranges;

bool bus_map(struct vm *vm, struct device *d, enum bus_space space, uint64_t base, uint64_t len)
{
	unsigned i = 0;
	while (i < nranges && ranges[i].on)
		i++;	/* a free slot, or a new one */
	CHECK(i < 8);
	ranges[i] = (struct range){ d, space, base, len, true };
	if (i == nranges)
		nranges++;
	return true;
}

static struct range *find(struct device *d, enum bus_space space)
{
	for (unsigned i = 0; i < nranges; i++)
		if (ranges[i].on && ranges[i].d == d && ranges[i].space == space)
			return &ranges[i];
	return NULL;
}

bool bus_move(struct vm *vm, struct device *d, enum bus_space space, uint64_t old_base,
	      uint64_t new_base)
{
	struct range *r = find(d, space);
	CHECK(r && r->base == old_base);
	r->base = new_base;
	return true;
}

void bus_unmap(struct vm *vm, struct device *d, enum bus_space space, uint64_t base)
{
	struct range *r = find(d, space);
	CHECK(r && r->base == base);
	r->on = false;
}

/* ---- the function ---------------------------------------------------------- */

static struct device fdev;
static struct pci_function fn;
static bool registered;

static void setup(void)
{
	nranges = 0;
	registered = false;
	memset(&fn, 0, sizeof(fn));
	fn.devfn = 3 << 3;
	fn.dev = &fdev;
	fn.cfg[PCI_VENDOR_ID] = 0x34;
	fn.cfg[PCI_DEVICE_ID] = 0x78;
	fn.cfg[PCI_COMMAND] = PCI_COMMAND_MEMORY;
	pci_set_bar(&fn, 0, BUS_MMIO, 0x1000, 0xfeb00000);
	pci_set_bar(&fn, 2, BUS_PIO, 0x20, 0xc000);
}

static void check(struct device *d)
{
	const struct pci_host *h = d->state;
	if (!registered) {	/* the first check runs after the bridge's init */
		CHECK(pci_register(&fuzz_vm, &fn));
		registered = true;
	}
	CHECK((h->addr & ~ADDR_MASK) == 0);
	CHECK(memcmp(h->bridge.cfg, cfg0, CFG_SIZE) == 0);
	CHECK(fn.cfg[PCI_VENDOR_ID] == 0x34 && fn.cfg[PCI_DEVICE_ID] == 0x78);
	uint16_t cmd = (uint16_t)(fn.cfg[PCI_COMMAND] | fn.cfg[PCI_COMMAND + 1] << 8);
	for (unsigned n = 0; n < PCI_BARS; n++) {
		uint32_t bar;
		memcpy(&bar, fn.cfg + PCI_BAR0 + 4 * n, 4);
		if (!fn.bar[n].size) {
			CHECK(bar == 0);
			continue;
		}
		enum bus_space sp = (enum bus_space)fn.bar[n].space;
		CHECK((bar & 1) == (sp == BUS_PIO));
		CHECK((pci_bar_base(&fn, n) & (fn.bar[n].size - 1)) == 0);
		bool on = cmd & (sp == BUS_PIO ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY);
		const struct range *r = find(&fdev, sp);
		CHECK(on == (r != NULL));
		if (r)
			CHECK(r->base == pci_bar_base(&fn, n) && r->len == fn.bar[n].size);
	}
}

static void on_read(struct device *d, uint64_t port, unsigned size, uint64_t val)
{
	const struct pci_host *h = d->state;
	uint64_t ones = size_mask(size);
	if (port < PORT_DATA)
		return;
	const struct pci_function *f = selected(h);
	if (!f) {
		CHECK((val & ones) == ones);
		return;
	}
	unsigned off = (unsigned)port - PORT_DATA;
	for (unsigned i = 0; i < size && off + i < 4; i++)
		CHECK((uint8_t)(val >> (8 * i)) == f->cfg[(h->addr & 0xfc) + off + i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_dev h = { .decl = &decl, .check = check, .on_read = on_read,
					   .setup = setup };
	if (!cfg0[0]) {
		static struct pci_host tmp;
		struct device d = { .decl = &decl, .state = &tmp };
		pci_host_init(&d);
		memcpy(cfg0, tmp.bridge.cfg, CFG_SIZE);
	}
	fuzz_dev_run(&h, data, size);
	return 0;
}
