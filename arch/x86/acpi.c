/*
 * arch/x86/acpi.c - find the CPUs in the ACPI MADT (see acpi.h). Every length
 * and count comes from firmware and is checked before it is used; a table
 * with a bad checksum is ignored.
 */
#include "arch/x86/acpi.h"
#include "lib/format.h"
#include "lib/string.h"

#define MADT_LAPIC   0
#define MADT_LAPIC_OVERRIDE 5
#define MADT_X2APIC  9
#define MADT_LAPIC_NMI  4
#define MADT_X2APIC_NMI 0xa
#define MADT_MAX_NMI    32
#define UID_ALL_XAPIC   0xff
#define UID_ALL_X2APIC  0xffffffffu
#define MAX_TABLES   64
#define MAX_MADT     65536

struct sdt_header {
	char signature[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem_id[6], oem_table_id[8];
	uint32_t oem_revision, creator_id, creator_revision;
} __attribute__((packed));

static bool checksum_ok(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return sum == 0;
}

static void add_cpu(struct madt_cpus *out, uint32_t id, uint32_t uid, uint32_t flags)
{
	if (!(flags & 3)) {	/* neither enabled nor online-capable */
		out->disabled++;
		return;
	}
	for (unsigned i = 0; i < out->count; i++)
		if (out->apic_id[i] == id)
			return;
	if (out->count < ACPI_MAX_CPUS) {
		out->uid[out->count] = uid;
		out->nmi_lint[out->count] = ACPI_NO_NMI_LINT;
		out->apic_id[out->count++] = id;
	}
}

struct nmi_entry { uint32_t uid; uint8_t lint; };

/* An NMI entry names a processor UID (or all of them) and a LINT pin; the
 * entries may come before the CPUs they name, so they apply at the end. */
static void apply_nmi(struct madt_cpus *out, const struct nmi_entry *n, unsigned count)
{
	for (unsigned j = 0; j < count; j++)
		for (unsigned i = 0; i < out->count; i++)
			if (n[j].lint <= 1 && (n[j].uid == UID_ALL_X2APIC || n[j].uid == out->uid[i]))
				out->nmi_lint[i] = n[j].lint;
}

static bool parse_madt(const uint8_t *t, uint32_t len, struct madt_cpus *out)
{
	if (len < sizeof(struct sdt_header) + 8)
		return false;
	uint32_t base;
	memcpy(&base, t + sizeof(struct sdt_header), 4);
	out->lapic_base = base;
	struct nmi_entry nmi[MADT_MAX_NMI];
	unsigned nnmi = 0;
	for (uint32_t off = sizeof(struct sdt_header) + 8; off + 2 <= len;) {
		uint8_t type = t[off], elen = t[off + 1];
		if (elen < 2 || off + elen > len)
			break;
		const uint8_t *e = t + off;
		if (type == MADT_LAPIC && elen >= 8) {
			uint32_t flags;
			memcpy(&flags, e + 4, 4);
			add_cpu(out, e[3], e[2], flags);
		} else if (type == MADT_X2APIC && elen >= 16) {
			uint32_t id, flags, uid;
			memcpy(&id, e + 4, 4);
			memcpy(&flags, e + 8, 4);
			memcpy(&uid, e + 12, 4);
			add_cpu(out, id, uid, flags);
		} else if (type == MADT_LAPIC_NMI && elen >= 6 && nnmi < MADT_MAX_NMI) {
			nmi[nnmi].uid = e[2] == UID_ALL_XAPIC ? UID_ALL_X2APIC : e[2];
			nmi[nnmi++].lint = e[5];
		} else if (type == MADT_X2APIC_NMI && elen >= 12 && nnmi < MADT_MAX_NMI) {
			memcpy(&nmi[nnmi].uid, e + 4, 4);
			nmi[nnmi++].lint = e[8];
		} else if (type == MADT_LAPIC_OVERRIDE && elen >= 12) {
			memcpy(&out->lapic_base, e + 4, 8);
		}
		off += elen;
	}
	apply_nmi(out, nmi, nnmi);
	return true;
}

bool acpi_madt_cpus(const uint8_t *rsdp, unsigned rsdp_len,
		    bool (*read)(uint64_t pa, void *dst, size_t len),
		    struct madt_cpus *out, char *why, size_t whylen)
{
	memset(out, 0, sizeof(*out));
	if (rsdp_len < 20 || memcmp(rsdp, "RSD PTR ", 8) != 0 || !checksum_ok(rsdp, 20)) {
		snprintf(why, whylen, "no valid ACPI RSDP");
		return false;
	}
	uint64_t root = 0;
	unsigned entry_size = 4;
	if (rsdp_len >= 36 && rsdp[15] >= 2 && checksum_ok(rsdp, 36)) {
		memcpy(&root, rsdp + 24, 8);	/* XSDT */
		entry_size = 8;
	}
	if (!root) {
		uint32_t rsdt;
		memcpy(&rsdt, rsdp + 16, 4);
		root = rsdt;
		entry_size = 4;
	}
	struct sdt_header h;
	if (!read(root, &h, sizeof(h)) || h.length < sizeof(h) ||
	    h.length > sizeof(h) + MAX_TABLES * 8) {
		snprintf(why, whylen, "the ACPI root table at 0x%lx is unreadable", root);
		return false;
	}
	uint8_t rootbuf[sizeof(struct sdt_header) + MAX_TABLES * 8];
	if (!read(root, rootbuf, h.length) || !checksum_ok(rootbuf, h.length)) {
		snprintf(why, whylen, "the ACPI root table has a bad checksum");
		return false;
	}
	static uint8_t madt[MAX_MADT];	/* boot CPU only, before SMP */
	for (uint32_t off = sizeof(h); off + entry_size <= h.length; off += entry_size) {
		uint64_t pa = 0;
		memcpy(&pa, rootbuf + off, entry_size);
		struct sdt_header th;
		if (!read(pa, &th, sizeof(th)) || memcmp(th.signature, "APIC", 4) != 0)
			continue;
		if (th.length < sizeof(th) || th.length > MAX_MADT || !read(pa, madt, th.length) ||
		    !checksum_ok(madt, th.length))
			continue;
		if (parse_madt(madt, th.length, out) && out->count)
			return true;
	}
	snprintf(why, whylen, "no usable MADT in the ACPI tables");
	return false;
}
