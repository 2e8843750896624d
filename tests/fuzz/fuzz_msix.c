/*
 * tests/fuzz/fuzz_msix.c - devices/msix.c under any sequence of BAR
 * accesses (table and PBA, any size 1-8, any offset), raises, message
 * control writes (enable, function mask) and resets, against a shadow
 * table kept here.
 *
 * Input: byte 0 the vector count (1 + b % 64), byte 1 where the PBA is
 * (after the table or before it); then 8-byte records:
 *   byte 0 op % 5: 0 write, 1 read, 2 raise, 3 message control, 4 reset
 *   bytes 1-2 BAR offset (write, read) or vector (raise)
 *   byte 3 size 1 + b % 8
 *   bytes 4-7 value (the upper dword of an 8-byte write is its complement)
 * Invariants: reads return the shadow's bytes (address bits 1:0 and vector
 * control bits 31:1 zero, the PBA = the pending bits); pending bits only
 * for existing vectors; no pending bit on a deliverable vector; each
 * message is sent by a deliverable entry with its address and data; every
 * raise is either sent or pending (or refused while MSI-X is off), and a
 * pending bit is only ever cleared by sending it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/msix.h"

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #c); \
	abort(); } } while (0)

#define BAR_SIZE 0x2000u

static struct msix m;
static struct msix_entry shadow[MSIX_MAX_VECTORS];
static unsigned sends;

static bool deliverable(unsigned v)
{
	return m.enabled && !m.maskall && !(shadow[v].ctrl & 1);
}

static void on_send(void *ctx, uint64_t addr, uint32_t data)
{
	CHECK(ctx == &m);
	CHECK(m.enabled && !m.maskall);
	bool from = false;
	for (unsigned v = 0; v < m.nvec; v++)
		from |= !(m.table[v].ctrl & 1) && m.table[v].data == data &&
			((uint64_t)m.table[v].addr_hi << 32 | m.table[v].addr_lo) == addr;
	CHECK(from);
	sends++;
}

static uint32_t *dword(struct msix_entry *e, unsigned k)
{
	return k == 0 ? &e->addr_lo : k == 1 ? &e->addr_hi : k == 2 ? &e->data : &e->ctrl;
}

static void shadow_write(uint32_t off, unsigned size, uint64_t val)
{
	static const uint32_t writable[4] = { 0xfffffffcu, ~0u, ~0u, 1u };
	for (unsigned i = 0; i < size; i++) {
		uint32_t o = off + i;
		if (o < m.table_off || o - m.table_off >= m.nvec * 16u)
			continue;
		uint32_t t = o - m.table_off;
		uint32_t *r = dword(&shadow[t / 16], t % 16 / 4);
		uint32_t mask = writable[t % 16 / 4] & (0xffu << (8 * (t % 4)));
		*r = (*r & ~mask) | (((uint32_t)(uint8_t)(val >> (8 * i)) << (8 * (t % 4))) & mask);
	}
}

static uint8_t shadow_byte(uint32_t o)
{
	if (o >= m.table_off && o - m.table_off < m.nvec * 16u) {
		uint32_t t = o - m.table_off;
		return (uint8_t)(*dword(&shadow[t / 16], t % 16 / 4) >> (8 * (t % 4)));
	}
	if (o >= m.pba_off && o - m.pba_off < 8)
		return (uint8_t)(m.pending >> (8 * (o - m.pba_off)));
	return 0;
}

static void shadow_reset(void)
{
	for (unsigned v = 0; v < MSIX_MAX_VECTORS; v++)
		shadow[v] = (struct msix_entry){ .ctrl = 1 };
}

static void check_state(void)
{
	CHECK(memcmp(m.table, shadow, sizeof(shadow)) == 0);
	CHECK(m.nvec == MSIX_MAX_VECTORS || !(m.pending >> m.nvec));
	for (unsigned v = 0; v < m.nvec; v++)
		CHECK(!((m.pending >> v & 1) && deliverable(v)));
}

static unsigned popcount(uint64_t x) { return (unsigned)__builtin_popcountll(x); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	unsigned nvec = 1 + data[0] % MSIX_MAX_VECTORS;
	uint32_t table = 0, pba = (nvec * 16 + 7) & ~7u;
	if (data[1] & 1) {		/* the PBA first, the table after it */
		pba = 0;
		table = 0x1000;
	}
	memset(&m, 0, sizeof(m));
	msix_init(&m, nvec, data[1] >> 1, table, pba, on_send, &m);
	static struct pci_function f0;
	memset(&f0, 0, sizeof(f0));
	CHECK(msix_add_cap(&m, &f0) == PCI_CAP_START);
	shadow_reset();
	sends = 0;
	check_state();

	for (size_t n = 2; n + 8 <= size && n / 8 < 1024; n += 8) {
		const uint8_t *r = data + n;
		unsigned op = r[0] % 5, sz = 1 + r[3] % 8;
		uint32_t where = (uint32_t)(r[1] | r[2] << 8) % BAR_SIZE, val;
		memcpy(&val, r + 4, 4);
		uint64_t v64 = (uint64_t)~val << 32 | val;
		uint64_t before = m.pending;
		unsigned sends_before = sends;

		switch (op) {
		case 0:
			shadow_write(where, sz, v64);
			msix_bar_write(&m, where, sz, v64);
			CHECK(m.pending == (before & m.pending));	/* writes set no bit */
			CHECK(sends - sends_before == popcount(before & ~m.pending));
			break;
		case 1: {
			uint64_t got = msix_bar_read(&m, where, sz);
			for (unsigned i = 0; i < sz; i++)
				CHECK((uint8_t)(got >> (8 * i)) == shadow_byte(where + i));
			CHECK(sends == sends_before && m.pending == before);
			break;
		}
		case 2: {
			unsigned vec = where % (nvec + 2);
			enum msix_raised got = msix_raise(&m, vec);
			if (!m.enabled) {
				CHECK(got == MSIX_OFF);
			} else if (vec >= nvec) {
				CHECK(got == MSIX_NO_VECTOR);
			} else if (deliverable(vec)) {
				CHECK(got == MSIX_SENT && sends == sends_before + 1);
			} else {
				CHECK(got == MSIX_PENDING && (m.pending >> vec & 1));
			}
			if (got != MSIX_SENT)
				CHECK(sends == sends_before);
			CHECK((m.pending & before) == before);
			break;
		}
		case 3: {
			struct pci_function f;
			memset(&f, 0, sizeof(f));
			f.cfg[m.cap + 2] = (uint8_t)val;
			f.cfg[m.cap + 3] = (uint8_t)(val >> 8);
			msix_config_written(&m, &f, m.cap);
			CHECK(m.enabled == !!(val & MSIX_CTRL_ENABLE));
			CHECK(m.maskall == !!(val & MSIX_CTRL_MASKALL));
			CHECK(m.pending == (before & m.pending));
			CHECK(sends - sends_before == popcount(before & ~m.pending));
			break;
		}
		case 4:
			msix_reset(&m);
			shadow_reset();
			CHECK(!m.enabled && !m.maskall && !m.pending && sends == sends_before);
			break;
		}
		check_state();
	}
	return 0;
}
