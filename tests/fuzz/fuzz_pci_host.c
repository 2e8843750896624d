/*
 * tests/fuzz/fuzz_pci_host.c - PCI configuration mechanism #1 and the host
 * bridge (devices/pci_host.c) under any sequence of accesses to
 * 0xcf8-0xcff (tests/fuzz/device_fuzz.h).
 * Invariants: the address register keeps no reserved bit; the bridge's
 * configuration space never changes (it is read-only); a data read with
 * no device selected is all ones, and with the bridge selected returns its
 * bytes.
 */
#include "tests/fuzz/device_fuzz.h"
#include "devices/pci_host.c"

static const struct device_decl decl = {
	"pci-host", &pci_host_model, .pio = { { 0xcf8, 8 } },
};

static uint8_t cfg0[CFG_SIZE];

static void check(struct device *d)
{
	const struct pci_host *h = d->state;
	CHECK((h->addr & ~ADDR_MASK) == 0);
	CHECK(memcmp(h->cfg, cfg0, CFG_SIZE) == 0);
}

static void on_read(struct device *d, uint64_t port, unsigned size, uint64_t val)
{
	const struct pci_host *h = d->state;
	uint64_t ones = size_mask(size);
	if (port < PORT_DATA)
		return;
	if (!(h->addr & ADDR_ENABLE) || !selects_host_bridge(h->addr)) {
		CHECK((val & ones) == ones);
		return;
	}
	unsigned off = (unsigned)port - PORT_DATA;
	for (unsigned i = 0; i < size && off + i < 4; i++)
		CHECK((uint8_t)(val >> (8 * i)) == cfg0[(h->addr & 0xfc) + off + i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct fuzz_dev h = { .decl = &decl, .check = check, .on_read = on_read };
	if (!cfg0[0]) {
		struct pci_host tmp = { 0 };
		struct device d = { .decl = &decl, .state = &tmp };
		pci_host_init(&d);
		memcpy(cfg0, tmp.cfg, CFG_SIZE);
	}
	fuzz_dev_run(&h, data, size);
	return 0;
}
