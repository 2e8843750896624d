/*
 * tests/unit/test_virtio_pci.c - the virtio PCI transport
 * (devices/virtio/virtio_pci.c, virtio_common.c; virtio 1.1, 4.1) with a
 * fake device type and a fake guest RAM: its PCI header and capabilities,
 * feature negotiation and device status (3.1.1), the queues' registers,
 * reset, wrong access sizes, notifications, and interrupts through the
 * ISR and INTx or MSI-X (pci_register, pci_intx_set and msi_send faked).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/virtio_pci.h"
#include "lib/log.h"
#include "devices/virtio/virtq_guest_ram.h"
#include "tests/unit/fake_platform.h"
#include "tests/fakes/flat_ram.h"

#define BASE VIRTIO_PCI_BAR_BASE(3)

/* ---- fakes ---------------------------------------------------------------- */

bool pci_register(struct vm *vm, struct pci_function *f) { return true; }

static int intx_level;
static unsigned nmsi, nlog;
static uint32_t msi_data;
void pci_intx_set(struct pci_function *f, bool asserted) { intx_level = asserted; }
void msi_send(struct vm *vm, uint64_t addr, uint32_t data) { nmsi++; msi_data = data; }
uint64_t device_lock(struct device *d) { return 0; }
void device_unlock(struct device *d, uint64_t f) {}
void log_msg(enum log_level level, const char *fmt, ...) { nlog++; }

/* Guest RAM: [0, 64 KiB) (tests/fakes/flat_ram.h). */
static uint8_t ram[0x10000];
static struct flat_ram guest = { ram, sizeof(ram) };
struct virtq_mem virtq_mem_guest_ram(const struct guest_ram *r) { return flat_ram_mem(&guest); }

/* ---- the fake type: 2 queues, feature bit 0, 8 bytes of configuration ----- */

static unsigned notified[VIRTIO_MAX_QUEUES], resets, driver_oks;
static uint32_t cfg_val = 0x11223344;

static uint32_t fake_cfg_read(struct virtio_dev *vd, uint32_t off, unsigned size)
{
	return (uint32_t)(((uint64_t)cfg_val << 32 | cfg_val) >> (8 * (off % 4)));
}
static void fake_cfg_write(struct virtio_dev *vd, uint32_t off, unsigned size, uint32_t v)
{
	cfg_val = v;
}
/* The most chains fake_notify serves per call (-1: all); whether it
 * suppresses available buffer notifications while it serves. */
static int fake_bound;
static bool fake_suppress;

/* Serves each chain of queue q (at most fake_bound): writes 4 bytes 0xab,
 * pushes. */
static void fake_notify(struct virtio_dev *vd, unsigned q)
{
	struct virtq_seg segs[4];
	struct virtq_chain c = { .segs = segs, .cap = 4 };
	notified[q]++;
	if (fake_suppress)
		virtq_set_notify(&vd->vq[q], false);
	for (int n = 0; n != fake_bound && virtq_pop(&vd->vq[q], &c, 4096) == VIRTQ_POPPED; n++) {
		uint32_t v = 0xabababab;
		virtq_push(&vd->vq[q], &c, (uint32_t)virtq_chain_write(&vd->vq[q], &c, 0, &v, 4));
	}
	virtio_used(vd, q);
}
static void fake_reset(struct virtio_dev *vd) { resets++; }
static void fake_driver_ok(struct virtio_dev *vd) { driver_oks++; }

static const struct virtio_type fake_type = {
	.name = "virtio-fake", .device_id = 9, .pci_class = { 0xff, 0, 0 },
	.features = 1 | 1ull << VIRTIO_F_EVENT_IDX, .nqueues = 2, .queue_max = 16, .config_size = 8,
	.config_read = fake_cfg_read, .config_write = fake_cfg_write,
	.notify = fake_notify, .reset = fake_reset, .driver_ok = fake_driver_ok,
};
static const struct virtio_instance inst = { &fake_type, 3, NULL };
static const struct device_decl decl = { "virtio-fake", &virtio_pci_model, .arg = &inst };

static struct device *dev;
static struct virtio_pci *vp;

static int setup(void **s)
{
	fake_platform_reset();
	fake_bound = -1;
	fake_suppress = false;
	dev = calloc(1, sizeof(*dev) + virtio_pci_model.state_size);
	dev->decl = &decl;
	dev->state = dev + 1;
	virtio_pci_model.init(dev);
	virtio_pci_model.reset(dev);
	vp = dev->state;
	vp->mem = virtq_mem_guest_ram(NULL);
	memset(ram, 0, sizeof(ram));
	memset(notified, 0, sizeof(notified));
	resets = driver_oks = nmsi = nlog = 0;
	intx_level = 0;
	return 0;
}
static int teardown(void **s) { free(dev); return 0; }

static uint64_t rd(uint64_t off, unsigned size) { return virtio_pci_model.mmio_read(dev, BASE + off, size); }
static void wr(uint64_t off, unsigned size, uint64_t v) { virtio_pci_model.mmio_write(dev, BASE + off, size, v); }
static uint8_t status(void) { return (uint8_t)rd(VIRTIO_CC_STATUS, 1); }

/* 3.1.1 steps 1-6 with `features` (both halves). */
static void negotiate(uint64_t features)
{
	wr(VIRTIO_CC_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_CC_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_CC_GFSELECT, 4, 0);
	wr(VIRTIO_CC_GF, 4, (uint32_t)features);
	wr(VIRTIO_CC_GFSELECT, 4, 1);
	wr(VIRTIO_CC_GF, 4, (uint32_t)(features >> 32));
	wr(VIRTIO_CC_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	   VIRTIO_STATUS_FEATURES_OK);
}

#define V1 (1ull << VIRTIO_F_VERSION_1)
#define ST_FOK (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK)
#define DESC 0x1000u
#define AVAIL 0x2000u
#define USED 0x3000u

/* Queue q at DESC/AVAIL/USED (+ q * 0x4000), size 4, vector vec, enabled. */
static void setup_queue(unsigned q, uint16_t vec)
{
	uint64_t o = q * 0x4000ull;
	wr(VIRTIO_CC_Q_SELECT, 2, q);
	wr(VIRTIO_CC_Q_SIZE, 2, 4);
	wr(VIRTIO_CC_Q_MSIX, 2, vec);
	wr(VIRTIO_CC_Q_DESC, 4, DESC + o);
	wr(VIRTIO_CC_Q_DESC + 4, 4, 0);
	wr(VIRTIO_CC_Q_DRIVER, 8, AVAIL + o);
	wr(VIRTIO_CC_Q_DEVICE, 4, USED + o);
	wr(VIRTIO_CC_Q_DEVICE + 4, 4, 0);
	wr(VIRTIO_CC_Q_ENABLE, 2, 1);
}

/* The driver offers one writable 16-byte buffer at 0x8000 in queue q. */
static void offer(unsigned q)
{
	uint64_t o = q * 0x4000ull;
	uint64_t addr = 0x8000;
	uint32_t len = 16;
	uint16_t flags = VIRTQ_DESC_F_WRITE, idx;
	memcpy(ram + DESC + o, &addr, 8);
	memcpy(ram + DESC + o + 8, &len, 4);
	memcpy(ram + DESC + o + 12, &flags, 2);
	memcpy(&idx, ram + AVAIL + o + 2, 2);
	ram[AVAIL + o + 4 + 2 * (idx % 4)] = 0;
	idx++;
	memcpy(ram + AVAIL + o + 2, &idx, 2);
}

static uint16_t used_idx(unsigned q)
{
	uint16_t v;
	memcpy(&v, ram + USED + q * 0x4000 + 2, 2);
	return v;
}

/* ---- tests --------------------------------------------------------------- */

static void test_header_and_caps(void **s)
{
	const uint8_t *c = vp->pci.cfg;
	assert_int_equal(c[0] | c[1] << 8, 0x1af4);
	assert_int_equal(c[2] | c[3] << 8, 0x1040 + 9);
	assert_int_equal(c[PCI_REVISION], 1);
	assert_int_equal(c[0x2c] | c[0x2d] << 8, 0x1af4);
	assert_int_equal(vp->pci.devfn, 3 << 3);
	assert_int_equal(pci_bar_base(&vp->pci, 0), BASE);
	assert_int_equal(vp->pci.bar[0].size, VIRTIO_PCI_BAR_SIZE);
	assert_true(c[PCI_STATUS] & PCI_STATUS_CAP_LIST);
	/* Walk the list: MSI-X and the four virtio capabilities. */
	unsigned seen = 0, mult = 0;
	for (unsigned at = c[PCI_CAP_PTR]; at; at = c[at + 1]) {
		assert_true(at >= 0x40 && at % 4 == 0);
		if (c[at] == PCI_CAP_ID_MSIX) {
			assert_int_equal((c[at + 2] | c[at + 3] << 8) & 0x7ff, 2);	/* 3 vectors */
			assert_int_equal(c[at + 4], VIRTIO_PCI_MSIX_TABLE & 0xff);
			seen |= 1;
			continue;
		}
		assert_int_equal(c[at], PCI_CAP_ID_VENDOR);
		assert_int_equal(c[at + 4], 0);			/* BAR 0 */
		uint32_t off, len;
		memcpy(&off, c + at + 8, 4);
		memcpy(&len, c + at + 12, 4);
		switch (c[at + 3]) {
		case VIRTIO_PCI_CAP_COMMON_CFG: assert_int_equal(off, VIRTIO_PCI_COMMON); break;
		case VIRTIO_PCI_CAP_NOTIFY_CFG:
			assert_int_equal(off, VIRTIO_PCI_NOTIFY);
			assert_int_equal(c[at + 2], 20);
			memcpy(&mult, c + at + 16, 4);
			break;
		case VIRTIO_PCI_CAP_ISR_CFG: assert_int_equal(off, VIRTIO_PCI_ISR); break;
		case VIRTIO_PCI_CAP_DEVICE_CFG:
			assert_int_equal(off, VIRTIO_PCI_DEVCFG);
			assert_int_equal(len, 8);
			break;
		default: fail();
		}
		seen |= 1u << c[at + 3];
	}
	assert_int_equal(seen, 0x1f);
	assert_int_equal(mult, 4);
}

static void test_features(void **s)
{
	assert_int_equal(rd(VIRTIO_CC_DF, 4), 1 | 1u << VIRTIO_F_EVENT_IDX);
	wr(VIRTIO_CC_DFSELECT, 4, 1);
	assert_int_equal(rd(VIRTIO_CC_DF, 4), 1);		/* VERSION_1 is bit 32 */
	wr(VIRTIO_CC_DFSELECT, 4, 7);
	assert_int_equal(rd(VIRTIO_CC_DF, 4), 0);
	assert_int_equal(rd(VIRTIO_CC_DFSELECT, 4), 7);
	assert_int_equal(rd(VIRTIO_CC_NUM_QUEUES, 2), 2);
}

static void test_features_ok_refused(void **s)
{
	negotiate(V1 | 2);			/* bit 1 not offered */
	assert_int_equal(status(), VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_CC_STATUS, 1, 0);
	negotiate(1);				/* no VERSION_1 */
	assert_int_equal(status(), VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_CC_STATUS, 1, 0);
	negotiate(V1 | 1);
	assert_int_equal(status(), ST_FOK);
	assert_int_equal(vp->vd.driver_features, V1 | 1);
	/* After FEATURES_OK the features stay. */
	wr(VIRTIO_CC_GFSELECT, 4, 0);
	wr(VIRTIO_CC_GF, 4, 0);
	assert_int_equal(rd(VIRTIO_CC_GF, 4), 1);
}

static void test_status_steps(void **s)
{
	/* FEATURES_OK or DRIVER_OK skipping the steps before them. */
	wr(VIRTIO_CC_GFSELECT, 4, 1);
	wr(VIRTIO_CC_GF, 4, 1);
	wr(VIRTIO_CC_STATUS, 1, VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(status(), 0);
	wr(VIRTIO_CC_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(status(), VIRTIO_STATUS_ACKNOWLEDGE);
	assert_int_equal(driver_oks, 0);
	/* Clearing a bit is ignored; NEEDS_RESET is not the driver's. */
	wr(VIRTIO_CC_STATUS, 1, VIRTIO_STATUS_DRIVER);
	assert_int_equal(status(), VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_CC_STATUS, 1, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	assert_int_equal(status(), VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_CC_STATUS, 1, 0);
	negotiate(V1);
	wr(VIRTIO_CC_STATUS, 1, ST_FOK | VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(status(), ST_FOK | VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(driver_oks, 1);
}

static void test_wrong_sizes(void **s)
{
	assert_int_equal(rd(VIRTIO_CC_STATUS, 4), 0);
	assert_int_equal(rd(VIRTIO_CC_NUM_QUEUES, 4), 0);
	assert_int_equal(rd(VIRTIO_CC_DF + 1, 1), 0);
	wr(VIRTIO_CC_Q_SELECT, 1, 1);
	assert_int_equal(rd(VIRTIO_CC_Q_SELECT, 2), 0);
	wr(VIRTIO_CC_STATUS, 2, VIRTIO_STATUS_ACKNOWLEDGE);
	assert_int_equal(status(), 0);
	wr(VIRTIO_CC_Q_DESC + 2, 4, 0x1234);		/* misaligned half */
	assert_int_equal(rd(VIRTIO_CC_Q_DESC, 8), 0);
	assert_int_equal(rd(VIRTIO_PCI_ISR, 4), 0);
	assert_int_equal(rd(0x7ff8, 8), 0);		/* an unused part of the BAR */
	wr(0x7ff8, 8, ~0ull);
	/* The type's space: naturally aligned 1/2/4 bytes inside it. */
	assert_int_equal(rd(VIRTIO_PCI_DEVCFG, 4), 0x11223344);
	assert_int_equal(rd(VIRTIO_PCI_DEVCFG + 1, 1), 0x33);
	assert_int_equal(rd(VIRTIO_PCI_DEVCFG + 1, 2), 0);
	assert_int_equal(rd(VIRTIO_PCI_DEVCFG + 8, 4), 0);
	assert_int_equal(rd(VIRTIO_PCI_DEVCFG, 8), 0);
	wr(VIRTIO_PCI_DEVCFG + 6, 4, 0);
	assert_int_equal(cfg_val, 0x11223344);
}

static void test_queue_registers(void **s)
{
	wr(VIRTIO_CC_Q_SELECT, 2, 1);
	assert_int_equal(rd(VIRTIO_CC_Q_SIZE, 2), 16);		/* the maximum */
	assert_int_equal(rd(VIRTIO_CC_Q_NOTIFY_OFF, 2), 1);
	wr(VIRTIO_CC_Q_SIZE, 2, 6);				/* not a power of 2 */
	wr(VIRTIO_CC_Q_SIZE, 2, 32);				/* above the maximum */
	assert_int_equal(rd(VIRTIO_CC_Q_SIZE, 2), 16);
	wr(VIRTIO_CC_Q_SIZE, 2, 8);
	assert_int_equal(rd(VIRTIO_CC_Q_SIZE, 2), 8);
	wr(VIRTIO_CC_Q_DESC, 4, 0x12345000);
	wr(VIRTIO_CC_Q_DESC + 4, 4, 0x9);
	assert_int_equal(rd(VIRTIO_CC_Q_DESC, 8), 0x912345000ull);
	assert_int_equal(rd(VIRTIO_CC_Q_DESC + 4, 4), 0x9);
	/* A queue that does not exist: size 0, nothing sticks. */
	wr(VIRTIO_CC_Q_SELECT, 2, 2);
	assert_int_equal(rd(VIRTIO_CC_Q_SIZE, 2), 0);
	wr(VIRTIO_CC_Q_MSIX, 2, 1);
	assert_int_equal(rd(VIRTIO_CC_Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	wr(VIRTIO_CC_Q_ENABLE, 2, 1);
	assert_int_equal(rd(VIRTIO_CC_Q_ENABLE, 2), 0);
	/* Enabling before FEATURES_OK is ignored. */
	wr(VIRTIO_CC_Q_SELECT, 2, 0);
	wr(VIRTIO_CC_Q_ENABLE, 2, 1);
	assert_int_equal(rd(VIRTIO_CC_Q_ENABLE, 2), 0);
	/* Vectors: one the function has, else NO_VECTOR. */
	wr(VIRTIO_CC_MSIX_CONFIG, 2, 2);
	assert_int_equal(rd(VIRTIO_CC_MSIX_CONFIG, 2), 2);
	wr(VIRTIO_CC_MSIX_CONFIG, 2, 3);
	assert_int_equal(rd(VIRTIO_CC_MSIX_CONFIG, 2), VIRTIO_MSI_NO_VECTOR);
}

static void test_reset(void **s)
{
	negotiate(V1 | 1);
	setup_queue(1, 1);
	wr(VIRTIO_CC_MSIX_CONFIG, 2, 0);
	assert_int_equal(rd(VIRTIO_CC_Q_ENABLE, 2), 1);
	/* Registers of an enabled queue stay. */
	wr(VIRTIO_CC_Q_SIZE, 2, 2);
	wr(VIRTIO_CC_Q_DESC, 8, 0x5000);
	assert_int_equal(rd(VIRTIO_CC_Q_SIZE, 2), 4);
	assert_int_equal(rd(VIRTIO_CC_Q_DESC, 8), DESC + 0x4000);
	resets = 0;
	wr(VIRTIO_CC_STATUS, 1, 0);
	assert_int_equal(resets, 1);
	assert_int_equal(status(), 0);		/* done when the write returns */
	assert_int_equal(vp->vd.driver_features, 0);
	assert_int_equal(rd(VIRTIO_CC_Q_SELECT, 2), 0);
	wr(VIRTIO_CC_Q_SELECT, 2, 1);
	assert_int_equal(rd(VIRTIO_CC_Q_ENABLE, 2), 0);
	assert_int_equal(rd(VIRTIO_CC_Q_SIZE, 2), 16);
	assert_int_equal(rd(VIRTIO_CC_Q_DESC, 8), 0);
	assert_int_equal(rd(VIRTIO_CC_Q_MSIX, 2), VIRTIO_MSI_NO_VECTOR);
	assert_int_equal(rd(VIRTIO_CC_MSIX_CONFIG, 2), VIRTIO_MSI_NO_VECTOR);
}

/* A queue whose areas are outside RAM: DEVICE_NEEDS_RESET, one line,
 * the configuration interrupt after DRIVER_OK; a reset clears it. */
static void test_enable_outside_ram(void **s)
{
	negotiate(V1);
	wr(VIRTIO_CC_Q_SELECT, 2, 0);
	wr(VIRTIO_CC_Q_DESC, 8, 0xfffff000ull);
	wr(VIRTIO_CC_Q_ENABLE, 2, 1);
	assert_int_equal(rd(VIRTIO_CC_Q_ENABLE, 2), 0);
	assert_true(status() & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	assert_int_equal(nlog, 1);
	/* DRIVER_OK keeps NEEDS_RESET; notifications are not served. */
	wr(VIRTIO_CC_STATUS, 1, status() | VIRTIO_STATUS_DRIVER_OK);
	assert_true(status() & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	wr(VIRTIO_PCI_NOTIFY, 2, 0);
	assert_int_equal(notified[0], 0);
	wr(VIRTIO_CC_STATUS, 1, 0);
	assert_int_equal(status(), 0);
}

/* INTx: the ISR's queue bit and INTA# until the ISR is read. */
static void test_notify_intx(void **s)
{
	negotiate(V1);
	setup_queue(0, VIRTIO_MSI_NO_VECTOR);
	wr(VIRTIO_CC_STATUS, 1, ST_FOK | VIRTIO_STATUS_DRIVER_OK);
	offer(0);
	wr(VIRTIO_PCI_NOTIFY + 8, 2, 0);	/* queue 2's address: none */
	wr(VIRTIO_PCI_NOTIFY + 4, 2, 1);	/* queue 1: not enabled */
	wr(VIRTIO_PCI_NOTIFY + 2, 2, 0);	/* between two queues */
	assert_int_equal(notified[0] + notified[1], 0);
	wr(VIRTIO_PCI_NOTIFY, 2, 0);
	assert_int_equal(notified[0], 1);
	assert_int_equal(used_idx(0), 1);
	assert_int_equal(ram[0x8000], 0xab);
	assert_int_equal(intx_level, 1);
	assert_int_equal(rd(VIRTIO_PCI_ISR, 1), VIRTIO_ISR_QUEUE);
	assert_int_equal(intx_level, 0);
	assert_int_equal(rd(VIRTIO_PCI_ISR, 1), 0);
	/* Command bit 10 holds INTA# low. */
	vp->pci.cfg[PCI_COMMAND + 1] |= PCI_COMMAND_INTX_DISABLE >> 8;
	offer(0);
	wr(VIRTIO_PCI_NOTIFY, 2, 0);
	assert_int_equal(intx_level, 0);
	assert_int_equal(rd(VIRTIO_PCI_ISR, 1), VIRTIO_ISR_QUEUE);
	assert_int_equal(nmsi, 0);
}

static uint16_t ring16(uint64_t gpa)
{
	uint16_t v;
	memcpy(&v, ram + gpa, 2);
	return v;
}

/* A type that serves 2 chains per call, 4 available, EVENT_IDX: the
 * driver notifies once (its idx passed avail_event 0); the other 2 are
 * served without another notification, from the transport's timer, and
 * avail_event ends at 4 so that the driver's next add notifies. */
static void test_served_again_event_idx(void **s)
{
	negotiate(V1 | 1ull << VIRTIO_F_EVENT_IDX);
	setup_queue(0, VIRTIO_MSI_NO_VECTOR);
	wr(VIRTIO_CC_STATUS, 1, ST_FOK | VIRTIO_STATUS_DRIVER_OK);
	fake_bound = 2;
	for (int i = 0; i < 4; i++)
		offer(0);
	wr(VIRTIO_PCI_NOTIFY, 2, 0);
	assert_int_equal(used_idx(0), 2);
	assert_int_equal(fake_armed_timers(), 1);
	/* The driver's rule (2.6.7.2): no notification, its idx (4) did
	 * not pass avail_event (2) since its last one. */
	assert_false(virtq_need_event(ring16(USED + 4 + 8 * 4), 4, 4));
	fake_advance(0);
	assert_int_equal(used_idx(0), 4);
	assert_int_equal(notified[0], 2);
	assert_int_equal(fake_armed_timers(), 0);
	assert_int_equal(ring16(USED + 4 + 8 * 4), 4);	/* avail_event */
	assert_true(virtq_need_event(4, 5, 4));		/* the next add notifies */
}

/* The same without EVENT_IDX, the type suppressing notifications
 * (NO_NOTIFY) while it serves: the rest served, NO_NOTIFY cleared. */
static void test_served_again_no_notify(void **s)
{
	negotiate(V1);
	setup_queue(0, 0);
	wr(VIRTIO_CC_STATUS, 1, ST_FOK | VIRTIO_STATUS_DRIVER_OK);
	fake_bound = 1;
	fake_suppress = true;
	for (int i = 0; i < 3; i++)
		offer(0);
	wr(VIRTIO_PCI_NOTIFY, 2, 0);
	assert_int_equal(used_idx(0), 1);
	assert_int_equal(ring16(USED), 0);	/* flags: notify me again */
	fake_advance(0);
	assert_int_equal(used_idx(0), 3);
	assert_int_equal(notified[0], 3);
	assert_int_equal(ring16(USED), 0);
	assert_int_equal(fake_armed_timers(), 0);
}

/* No timer for a type that popped nothing (it calls again itself), nor
 * after a reset, nor for a stopped VM. */
static void test_served_again_bounds(void **s)
{
	negotiate(V1 | 1ull << VIRTIO_F_EVENT_IDX);
	setup_queue(0, VIRTIO_MSI_NO_VECTOR);
	wr(VIRTIO_CC_STATUS, 1, ST_FOK | VIRTIO_STATUS_DRIVER_OK);
	fake_bound = 0;
	offer(0);
	wr(VIRTIO_PCI_NOTIFY, 2, 0);
	assert_int_equal(fake_armed_timers(), 0);
	fake_bound = 1;
	offer(0);
	wr(VIRTIO_PCI_NOTIFY, 2, 0);
	assert_int_equal(fake_armed_timers(), 1);
	wr(VIRTIO_CC_STATUS, 1, 0);		/* reset */
	assert_int_equal(fake_armed_timers(), 0);
	fake_advance(0);
	assert_int_equal(notified[0], 2);
	negotiate(V1 | 1ull << VIRTIO_F_EVENT_IDX);
	setup_queue(0, VIRTIO_MSI_NO_VECTOR);
	wr(VIRTIO_CC_STATUS, 1, ST_FOK | VIRTIO_STATUS_DRIVER_OK);
	offer(0);
	offer(0);
	wr(VIRTIO_PCI_NOTIFY, 2, 0);
	assert_int_equal(fake_armed_timers(), 1);
	virtio_pci_model.stop(dev);
	assert_int_equal(fake_armed_timers(), 0);
}

/* MSI-X on: the queue's vector, no ISR, no INTx. */
static void test_notify_msix(void **s)
{
	negotiate(V1);
	setup_queue(0, 1);
	wr(VIRTIO_CC_STATUS, 1, ST_FOK | VIRTIO_STATUS_DRIVER_OK);
	/* Vector 1: address 0xfee00000, data 0x41, unmasked; then enable. */
	wr(VIRTIO_PCI_MSIX_TABLE + 16, 4, 0xfee00000);
	wr(VIRTIO_PCI_MSIX_TABLE + 24, 4, 0x41);
	wr(VIRTIO_PCI_MSIX_TABLE + 28, 4, 0);
	uint8_t cap = vp->msix.cap;
	vp->pci.cfg[cap + 3] |= MSIX_CTRL_ENABLE >> 8;
	vp->pci.config_written(&vp->pci, cap);
	offer(0);
	wr(VIRTIO_PCI_NOTIFY, 2, 0);
	assert_int_equal(nmsi, 1);
	assert_int_equal(msi_data, 0x41);
	assert_int_equal(intx_level, 0);
	assert_int_equal(rd(VIRTIO_PCI_ISR, 1), 0);
	/* NO_VECTOR: no interrupt at all (4.1.5.1.2.1). */
	wr(VIRTIO_CC_STATUS, 1, 0);
	negotiate(V1);
	setup_queue(0, VIRTIO_MSI_NO_VECTOR);
	wr(VIRTIO_CC_STATUS, 1, ST_FOK | VIRTIO_STATUS_DRIVER_OK);
	memset(ram, 0, sizeof(ram));
	offer(0);
	wr(VIRTIO_PCI_NOTIFY, 2, 0);
	assert_int_equal(used_idx(0), 1);
	assert_int_equal(nmsi, 1);
	assert_int_equal(intx_level, 0);
}

/* A configuration change: config_generation moves; the config vector
 * (MSI-X) or the ISR's bit 1 (INTx), after DRIVER_OK only. */
static void test_config_changed(void **s)
{
	uint8_t g = (uint8_t)rd(VIRTIO_CC_GENERATION, 1);
	virtio_config_changed(&vp->vd);
	assert_int_equal(rd(VIRTIO_CC_GENERATION, 1), (uint8_t)(g + 1));
	assert_int_equal(intx_level, 0);
	negotiate(V1);
	wr(VIRTIO_CC_STATUS, 1, ST_FOK | VIRTIO_STATUS_DRIVER_OK);
	virtio_config_changed(&vp->vd);
	assert_int_equal(intx_level, 1);
	assert_int_equal(rd(VIRTIO_PCI_ISR, 1), VIRTIO_ISR_CONFIG);
}

/* A driver that breaks its queue (a head out of the table): the type
 * pops BROKEN, the transport sets NEEDS_RESET and signals once. */
static void test_broken_queue(void **s)
{
	negotiate(V1);
	setup_queue(0, VIRTIO_MSI_NO_VECTOR);
	wr(VIRTIO_CC_STATUS, 1, ST_FOK | VIRTIO_STATUS_DRIVER_OK);
	offer(0);
	ram[AVAIL + 4] = 9;			/* head 9 of a 4-entry table */
	wr(VIRTIO_PCI_NOTIFY, 2, 0);
	assert_true(status() & VIRTIO_STATUS_DEVICE_NEEDS_RESET);
	assert_int_equal(rd(VIRTIO_PCI_ISR, 1), VIRTIO_ISR_CONFIG);
	assert_int_equal(nlog, 1);
	wr(VIRTIO_PCI_NOTIFY, 2, 0);
	assert_int_equal(notified[0], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_header_and_caps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_features, setup, teardown),
		cmocka_unit_test_setup_teardown(test_features_ok_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_steps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enable_outside_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_intx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_msix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_served_again_event_idx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_served_again_no_notify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_served_again_bounds, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
