/*
 * devices/testdev.c - the MMIO test device (see testdev.h): a RAM-like
 * window that logs each access, and status registers describing the last
 * one. Pure state, no side effects outside the device.
 */
#include "devices/testdev.h"

static struct testdev_state *st(struct device *d)
{
	return d->state;
}

/* PCI function 00:01.0 with BAR 0 at TESTDEV_BASE, memory decoding on. */
static void testdev_init(struct device *d)
{
	struct pci_function *f = &st(d)->pci;
	f->devfn = TESTDEV_DEVFN;
	f->dev = d;
	f->cfg[PCI_VENDOR_ID] = TESTDEV_VENDOR & 0xff;
	f->cfg[PCI_VENDOR_ID + 1] = TESTDEV_VENDOR >> 8;
	f->cfg[PCI_DEVICE_ID] = TESTDEV_DEVICE & 0xff;
	f->cfg[PCI_DEVICE_ID + 1] = TESTDEV_DEVICE >> 8;
	f->cfg[PCI_CLASS_BASE] = 0xff;		/* fits no defined class */
	f->cfg[PCI_COMMAND] = PCI_COMMAND_MEMORY;
	/* INTA#, routed by the DSDT's _PRT (devices/pci_layout.h); the
	 * device never asserts it. */
	f->cfg[PCI_INTERRUPT_PIN] = 1;
	pci_set_bar(f, 0, BUS_MMIO, TESTDEV_SIZE, (uint32_t)TESTDEV_BASE);
	if (d->vm)
		pci_register(d->vm, f);
}

/* Where its page is now: BAR 0. */
static uint64_t page_base(struct device *d)
{
	return pci_bar_base(&st(d)->pci, 0);
}

static void testdev_reset(struct device *d)
{
	struct testdev_state *s = st(d);
	for (unsigned i = 0; i < TESTDEV_RAM_SIZE; i++)
		s->ram[i] = 0;
	s->last_offset = s->last_size = s->last_write = s->count = 0;
	s->last_val = 0;
}

static uint8_t status_byte(const struct testdev_state *s, unsigned off)
{
	uint64_t v;
	switch (off & ~3u) {
	case TESTDEV_ST_OFFSET: v = s->last_offset; break;
	case TESTDEV_ST_SIZE:   v = s->last_size; break;
	case TESTDEV_ST_WRITE:  v = s->last_write; break;
	case TESTDEV_ST_COUNT:  v = s->count; break;
	case TESTDEV_ST_VAL_LO: v = (uint32_t)s->last_val; break;
	case TESTDEV_ST_VAL_HI: v = (uint32_t)(s->last_val >> 32); break;
	default:                return 0;
	}
	return (uint8_t)(v >> (8 * (off & 3)));
}

static void log_access(struct testdev_state *s, unsigned off, unsigned size,
		       bool write, uint64_t val)
{
	s->last_offset = off;
	s->last_size = size;
	s->last_write = write;
	s->count++;
	if (write)
		s->last_val = val;
}

static uint64_t testdev_read(struct device *d, uint64_t gpa, unsigned size)
{
	struct testdev_state *s = st(d);
	uint64_t off = gpa - page_base(d), val = 0;
	unsigned in_ram = 0;

	for (unsigned i = 0; i < size && i < 8; i++) {
		uint64_t o = off + i;
		uint8_t b = 0;
		if (o < TESTDEV_RAM_SIZE) {
			b = s->ram[o];
			in_ram++;
		} else if (o < TESTDEV_SIZE) {
			b = status_byte(s, (unsigned)o);
		}
		val |= (uint64_t)b << (8 * i);
	}
	if (in_ram)
		log_access(s, (unsigned)off, in_ram, false, 0);
	return val;
}

static void testdev_write(struct device *d, uint64_t gpa, unsigned size, uint64_t val)
{
	struct testdev_state *s = st(d);
	uint64_t off = gpa - page_base(d);
	unsigned in_ram = 0;
	bool reset = false;

	for (unsigned i = 0; i < size && i < 8; i++) {
		uint64_t o = off + i;
		if (o < TESTDEV_RAM_SIZE) {
			s->ram[o] = (uint8_t)(val >> (8 * i));
			in_ram++;
		} else if (o == TESTDEV_RESET) {
			reset = true;
		}
	}
	if (in_ram)
		log_access(s, (unsigned)off, in_ram, true,
			   size >= 8 ? val : val & ((1ull << (8 * size)) - 1));
	if (reset)
		s->count = 0;
}

const struct device_model testdev_model = {
	.name = "testdev",
	.state_size = sizeof(struct testdev_state),
	.init = testdev_init,
	.reset = testdev_reset,
	.mmio_read = testdev_read,
	.mmio_write = testdev_write,
};
