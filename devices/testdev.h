/*
 * devices/testdev.h - a test device for the MMIO path: one 4 KiB page at
 * guest-physical TESTDEV_BASE. Given to a VM by the module-line option
 * testdev=1; test guests (tests/guests/mmio*.c) run every emulated
 * instruction form against it and compare with the same instruction on RAM.
 *
 *   0x000-0x7ff  RAM-like: reads return what was written, any size 1/2/4/8,
 *                little-endian, unaligned allowed. Every access to this
 *                window is logged in the status registers.
 *   0x800-0x83f  read-only status of the LAST access to the window (reads of
 *                the status area are not logged themselves):
 *                0x800 offset, 0x804 size, 0x808 1 = write / 0 = read,
 *                0x80c number of accesses so far, 0x810 / 0x814 the low /
 *                high dword of the last value written.
 *   0x840        a write (of any size covering this byte) resets the count.
 *   0x844        interrupt: a write of k raises MSI-X vector k, or INTx
 *                while MSI-X is off (any k); reads 0.
 *   0x848        INTx: reads 1 while the device asserts it (even if the
 *                command register's interrupt disable holds the pin low);
 *                a write clears it.
 * Everything else reads as 0 and ignores writes. An access that straddles
 * 0x800 is split per byte: the bytes below 0x800 are one logged access of
 * the window (offset = its start, size = the bytes that fell in it), the
 * bytes above behave as the status area (a read returns the status as it
 * was before this access is logged).
 *
 * As PCI function 00:01.0 it has INTA# (devices/pci_layout.h gives its GSI)
 * and an MSI-X capability with TESTDEV_MSIX_VECTORS vectors
 * (devices/msix.h): table at offset 0 and PBA at 0x800 of BAR 1, a second
 * page at TESTDEV_MSIX_BASE.
 */
#ifndef YAKVM_DEVICES_TESTDEV_H
#define YAKVM_DEVICES_TESTDEV_H

#include "devices/device.h"
#include "devices/pci.h"
#include "devices/msix.h"

#define TESTDEV_BASE      0xfeb00000ull
#define TESTDEV_SIZE      0x1000u
#define TESTDEV_RAM_SIZE  0x800u

/* Status registers (offsets in the page). */
#define TESTDEV_ST_OFFSET 0x800u
#define TESTDEV_ST_SIZE   0x804u
#define TESTDEV_ST_WRITE  0x808u
#define TESTDEV_ST_COUNT  0x80cu
#define TESTDEV_ST_VAL_LO 0x810u
#define TESTDEV_ST_VAL_HI 0x814u
#define TESTDEV_ST_END    0x840u
#define TESTDEV_RESET     0x840u  /* write: count = 0 */
#define TESTDEV_IRQ_RAISE 0x844u  /* write k: raise vector k / INTx */
#define TESTDEV_INTX      0x848u  /* read: INTx asserted; write: clear it */
#define TESTDEV_MSIX_BASE 0xfeb01000ull  /* BAR 1 */
#define TESTDEV_MSIX_SIZE 0x1000u
#define TESTDEV_MSIX_VECTORS 4
#define TESTDEV_MSIX_TABLE 0x000u
#define TESTDEV_MSIX_PBA  0x800u
#define TESTDEV_DEVFN     (1u << 3)  /* 00:01.0 */
#define TESTDEV_VENDOR    0x7961u  /* not a PCI-SIG vendor of this device: */
#define TESTDEV_DEVICE    0x6b76u  /* a test device only yakvm's guests see */

struct testdev_state {
	uint8_t ram[TESTDEV_RAM_SIZE];
	uint32_t last_offset, last_size, last_write, count;
	uint64_t last_val;
	struct pci_function pci;
	struct msix msix;
	bool intx;                     /* INTx requested (TESTDEV_INTX) */
};

extern const struct device_model testdev_model;

/* The device_decl row for a VM with testdev=1: { "testdev", &testdev_model }
 * (its page comes from its BAR). */

#endif
