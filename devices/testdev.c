/*
 * devices/testdev.c - the MMIO test device (see testdev.h): a RAM-like
 * window that logs each access, and status registers describing the last
 * one; its interrupts: MSI-X (devices/msix.c) or INTx.
 */
#include "devices/testdev.h"
#include "devices/msi.h"

static struct testdev_state *st(struct device *d)
{
	return d->state;
}

static void send_msi(void *vm, uint64_t addr, uint32_t data)
{
	msi_send(vm, addr, data);
}

/* INTA# is asserted while requested, MSI-X is off and the command
 * register does not disable it (PCI LB 3.0, 6.2.2 bit 10; 6.8.2). */
static void update_intx(struct testdev_state *s)
{
	pci_intx_set(&s->pci, s->intx && msix_intx_allowed(&s->msix, &s->pci));
}

static void config_written(struct pci_function *f, unsigned reg)
{
	struct device *d = f->dev;
	uint64_t flags = device_lock(d);
	struct testdev_state *s = st(d);
	msix_config_written(&s->msix, f, reg);
	update_intx(s);
	device_unlock(d, flags);
}

/* PCI function 00:01.0 with BAR 0 at TESTDEV_BASE and BAR 1 (MSI-X) at
 * TESTDEV_MSIX_BASE, memory decoding on, INTA#. */
static void testdev_init(struct device *d)
{
	struct pci_function *f = &st(d)->pci;
	struct msix *m = &st(d)->msix;
	f->devfn = TESTDEV_DEVFN;
	f->dev = d;
	f->cfg[PCI_VENDOR_ID] = TESTDEV_VENDOR & 0xff;
	f->cfg[PCI_VENDOR_ID + 1] = TESTDEV_VENDOR >> 8;
	f->cfg[PCI_DEVICE_ID] = TESTDEV_DEVICE & 0xff;
	f->cfg[PCI_DEVICE_ID + 1] = TESTDEV_DEVICE >> 8;
	f->cfg[PCI_CLASS_BASE] = 0xff;		/* fits no defined class */
	f->cfg[PCI_COMMAND] = PCI_COMMAND_MEMORY;
	/* INTA#: its GSI is pci_intx_gsi() (devices/pci_layout.h), as the
	 * DSDT's _PRT says. */
	f->cfg[PCI_INTERRUPT_PIN] = 1;
	f->config_written = config_written;
	pci_set_bar(f, 0, BUS_MMIO, TESTDEV_SIZE, (uint32_t)TESTDEV_BASE);
	pci_set_bar(f, 1, BUS_MMIO, TESTDEV_MSIX_SIZE, (uint32_t)TESTDEV_MSIX_BASE);
	msix_init(m, TESTDEV_MSIX_VECTORS, 1, TESTDEV_MSIX_TABLE, TESTDEV_MSIX_PBA, send_msi,
		  d->vm);
	msix_add_cap(m, f);
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
	msix_reset(&s->msix);
	s->intx = false;
	update_intx(s);
}

/* A write to TESTDEV_IRQ_RAISE. */
static void raise(struct testdev_state *s, uint32_t k)
{
	if (msix_raise(&s->msix, k) != MSIX_OFF)
		return;
	s->intx = true;
	update_intx(s);
}

/* Offset of gpa in BAR 1 (MSI-X), or -1 if it is not there. */
static int64_t msix_offset(struct device *d, uint64_t gpa)
{
	uint64_t off = gpa - pci_bar_base(&st(d)->pci, 1);
	return off < TESTDEV_MSIX_SIZE ? (int64_t)off : -1;
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
	case TESTDEV_INTX:      v = s->intx; break;
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

	if (off >= TESTDEV_SIZE && msix_offset(d, gpa) >= 0)
		return msix_bar_read(&s->msix, (uint64_t)msix_offset(d, gpa), size);

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
	bool reset = false, raise_irq = false, intx_clear = false;

	if (off >= TESTDEV_SIZE && msix_offset(d, gpa) >= 0) {
		msix_bar_write(&s->msix, (uint64_t)msix_offset(d, gpa), size, val);
		return;
	}

	for (unsigned i = 0; i < size && i < 8; i++) {
		uint64_t o = off + i;
		if (o < TESTDEV_RAM_SIZE) {
			s->ram[o] = (uint8_t)(val >> (8 * i));
			in_ram++;
		} else if (o == TESTDEV_RESET) {
			reset = true;
		} else if (o == TESTDEV_IRQ_RAISE) {
			raise_irq = true;	/* k: the byte written here */
		} else if (o == TESTDEV_INTX) {
			intx_clear = true;
		}
	}
	if (in_ram)
		log_access(s, (unsigned)off, in_ram, true,
			   size >= 8 ? val : val & ((1ull << (8 * size)) - 1));
	if (reset)
		s->count = 0;
	if (raise_irq)
		raise(s, (uint32_t)(val >> (8 * (TESTDEV_IRQ_RAISE - off))) & 0xff);
	if (intx_clear) {
		s->intx = false;
		update_intx(s);
	}
}

const struct device_model testdev_model = {
	.name = "testdev",
	.state_size = sizeof(struct testdev_state),
	.init = testdev_init,
	.reset = testdev_reset,
	.mmio_read = testdev_read,
	.mmio_write = testdev_write,
};
