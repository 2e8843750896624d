/*
 * devices/msix.c - MSI-X table, PBA and masks for PCI function models (see
 * msix.h; PCI LB 3.0, 6.8.2).
 */
#include "devices/msix.h"

/* Table entry dwords (6.8.2.6-6.8.2.9). */
enum { E_ADDR_LO, E_ADDR_HI, E_DATA, E_CTRL };
static const uint32_t entry_writable[4] = { 0xfffffffcu, 0xffffffffu, 0xffffffffu,
					    MSIX_VECTOR_MASKED };

static bool deliverable(const struct msix *m, unsigned vec)
{
	return m->enabled && !m->maskall && !(m->table[vec].ctrl & MSIX_VECTOR_MASKED);
}

static void send(struct msix *m, unsigned vec)
{
	const struct msix_entry *e = &m->table[vec];
	if (m->send)
		m->send(m->ctx, (uint64_t)e->addr_hi << 32 | e->addr_lo, e->data);
}

/* Sends each pending vector that is deliverable now (6.8.2.10). */
static void flush_pending(struct msix *m)
{
	for (unsigned v = 0; v < m->nvec; v++)
		if ((m->pending >> v & 1) && deliverable(m, v)) {
			m->pending &= ~(1ull << v);
			send(m, v);
		}
}

void msix_init(struct msix *m, unsigned nvec, unsigned bar, uint32_t table_off,
	       uint32_t pba_off, msix_send_fn send_fn, void *ctx)
{
	m->nvec = nvec < 1 ? 1 : nvec > MSIX_MAX_VECTORS ? MSIX_MAX_VECTORS : nvec;
	m->bar = (uint8_t)(bar % PCI_BARS);
	m->table_off = table_off & ~7u;
	m->pba_off = pba_off & ~7u;
	m->send = send_fn;
	m->ctx = ctx;
	msix_reset(m);
}

void msix_reset(struct msix *m)
{
	for (unsigned v = 0; v < MSIX_MAX_VECTORS; v++)
		m->table[v] = (struct msix_entry){ .ctrl = MSIX_VECTOR_MASKED };
	m->pending = 0;
	m->enabled = m->maskall = false;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* The capability (6.8.2.1-6.8.2.5): ID, next, message control (table size
 * read-only; enable and function mask writable), table offset/BIR, PBA
 * offset/BIR (both read-only). */
uint8_t msix_add_cap(struct msix *m, struct pci_function *f)
{
	uint8_t at = pci_add_cap(f, PCI_CAP_ID_MSIX, MSIX_CAP_LEN);
	if (!at)
		return 0;
	m->cap = at;
	uint16_t ctrl = (uint16_t)((m->nvec - 1) & MSIX_CTRL_TABLE_SIZE);
	f->cfg[at + 2] = (uint8_t)ctrl;
	f->cfg[at + 3] = (uint8_t)(ctrl >> 8);
	f->wmask[at + 3] = (MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL) >> 8;
	put32(f->cfg + at + 4, m->table_off | m->bar);
	put32(f->cfg + at + 8, m->pba_off | m->bar);
	return at;
}

void msix_config_written(struct msix *m, const struct pci_function *f, unsigned reg)
{
	if (!m->cap || reg != m->cap)	/* message control is in the cap's first dword */
		return;
	uint16_t ctrl = (uint16_t)(f->cfg[m->cap + 2] | f->cfg[m->cap + 3] << 8);
	m->enabled = ctrl & MSIX_CTRL_ENABLE;
	m->maskall = ctrl & MSIX_CTRL_MASKALL;
	flush_pending(m);
}

bool msix_intx_allowed(const struct msix *m, const struct pci_function *f)
{
	uint16_t cmd = (uint16_t)(f->cfg[PCI_COMMAND] | f->cfg[PCI_COMMAND + 1] << 8);
	return !m->enabled && !(cmd & PCI_COMMAND_INTX_DISABLE);
}

/* ---- the table and the PBA in the BAR ---------------------------------------- */

static bool in(uint64_t off, uint32_t start, uint32_t len)
{
	return off >= start && off - start < len;
}

static uint8_t read_byte(const struct msix *m, uint64_t off)
{
	if (in(off, m->table_off, m->nvec * MSIX_ENTRY_SIZE)) {
		uint32_t o = (uint32_t)(off - m->table_off);
		const struct msix_entry *e = &m->table[o / MSIX_ENTRY_SIZE];
		const uint32_t dw[4] = { e->addr_lo, e->addr_hi, e->data, e->ctrl };
		return (uint8_t)(dw[o % 16 / 4] >> (8 * (o % 4)));
	}
	if (in(off, m->pba_off, MSIX_PBA_SIZE))
		return (uint8_t)(m->pending >> (8 * (off - m->pba_off)));
	return 0;
}

uint64_t msix_bar_read(const struct msix *m, uint64_t off, unsigned size)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < size && i < 8; i++)
		v |= (uint64_t)read_byte(m, off + i) << (8 * i);
	return v;
}

void msix_bar_write(struct msix *m, uint64_t off, unsigned size, uint64_t val)
{
	uint64_t touched = 0;	/* entries written */
	for (unsigned i = 0; i < size && i < 8; i++) {
		uint64_t o = off + i;
		if (!in(o, m->table_off, m->nvec * MSIX_ENTRY_SIZE))
			continue;	/* the PBA is read-only; the rest is nothing */
		uint32_t t = (uint32_t)(o - m->table_off);
		unsigned vec = t / MSIX_ENTRY_SIZE, dw = t % 16 / 4, sh = 8 * (t % 4);
		struct msix_entry *e = &m->table[vec];
		uint32_t *r = dw == E_ADDR_LO ? &e->addr_lo : dw == E_ADDR_HI ? &e->addr_hi
			    : dw == E_DATA ? &e->data : &e->ctrl;
		uint32_t mask = entry_writable[dw] & (0xffu << sh);
		*r = (*r & ~mask) | (((uint32_t)(uint8_t)(val >> (8 * i)) << sh) & mask);
		touched |= 1ull << vec;
	}
	if (touched)
		flush_pending(m);	/* an entry unmasked with its bit pending */
}

enum msix_raised msix_raise(struct msix *m, unsigned vec)
{
	if (!m->enabled)
		return MSIX_OFF;
	if (vec >= m->nvec)
		return MSIX_NO_VECTOR;
	if (!deliverable(m, vec)) {
		m->pending |= 1ull << vec;
		return MSIX_PENDING;
	}
	send(m, vec);
	return MSIX_SENT;
}
