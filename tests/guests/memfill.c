/*
 * tests/guests/memfill.c - VM isolation, from two guests at once.
 *
 * "write": fills all of its RAM above its image (and above its Multiboot
 * information block) with a marker, a 16-byte block
 * [M0, M1, address, address ^ M2] every 16 bytes, then re-checks every block
 * again and again, so the marker stays in memory while the other VM looks
 * for it.
 *
 * "scan": again and again scans all of its RAM -
 * every range of the Multiboot1 memory map below 4 GiB, from 0 to the end
 * of mem_upper, the VGA hole excepted - for M0 followed by M1. It plants one
 * marker block of its own first, at a known address, to prove the scan
 * would see one; any other hit is the writer's memory showing through.
 *
 * How long both go on: "until=key" until a byte arrives on the serial port
 * (the harness types it once the other VM has done what this one must
 * outlast: an order of events, not a time), "passes=N" N passes, else
 * "ms=N" milliseconds of TSC time (default 3000).
 *
 * M0..M2 are never constants in the image, or the scanner would find them
 * in its own copy of this program: they are computed as C ^ key, with the
 * key read from a volatile variable, and the scanner only compares
 * (word ^ key) with C0 and C1.
 *
 * Output: "memfill: ..." lines; status 0 if all is well, 1 if not.
 */
#include "rt.h"
#include "hw.h"

#define C0 0x3c1d5a0fu
#define C1 0x7e22b4c3u
#define C2 0x19a5e6d7u
static volatile uint32_t key_store = 0x51f0e2a7u;

extern char _end[];

struct mb1_mmap {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

static uint32_t arg(const char *cl, const char *k, uint32_t def)
{
	size_t n = strlen(k);
	for (const char *c = cl; *c; c++)
		if (memcmp(c, k, n) == 0) {
			uint32_t v = 0;
			for (c += n; *c >= '0' && *c <= '9'; c++)
				v = v * 10 + (uint32_t)(*c - '0');
			return v;
		}
	return def;
}

static bool has(const char *cl, const char *word)
{
	size_t n = strlen(word);
	for (const char *c = cl; *c; c++)
		if (memcmp(c, word, n) == 0)
			return true;
	return false;
}

struct until {
	bool key;
	uint32_t passes;
	uint64_t stop;		/* TSC */
};

static struct until until_of(const char *cl, uint64_t per_ms)
{
	return (struct until){
		.key = has(cl, "until=key"),
		.passes = arg(cl, "passes=", 0),
		.stop = rdtsc() + per_ms * arg(cl, "ms=", 3000),
	};
}

static bool go_on(const struct until *u, uint32_t passes_done)
{
	if (u->key)
		return !(inb(0x3fd) & 0x01);
	if (u->passes)
		return passes_done < u->passes;
	return rdtsc() < u->stop;
}

static uint32_t round_up(uint32_t x)
{
	return (x + 0xfff) & ~0xfffu;
}

static int writer(struct mb1_info *info, const char *cl, uint64_t per_ms)
{
	uint32_t key = key_store;
	uint32_t m0 = C0 ^ key, m1 = C1 ^ key, m2 = C2 ^ key;
	uint32_t start = round_up((uint32_t)_end);
	uint32_t info_end = round_up((uint32_t)info + 4096);
	if (info_end > start)
		start = info_end;
	uint32_t end = 0x100000u + info->mem_upper * 1024u;
	for (uint32_t a = start; a < end; a += 16) {
		volatile uint32_t *p = (volatile uint32_t *)a;
		p[0] = m0;
		p[1] = m1;
		p[2] = a;
		p[3] = a ^ m2;
	}
	printf("memfill: write: filled 0x%x-0x%x (%u KiB) with the marker\n",
	       start, end, (end - start) / 1024);
	struct until u = until_of(cl, per_ms);
	uint32_t pass = 0, bad = 0;
	do {
		pass++;
		for (uint32_t a = start; a < end; a += 16) {
			volatile uint32_t *p = (volatile uint32_t *)a;
			if (p[0] != m0 || p[1] != m1 || p[2] != a || p[3] != (a ^ m2)) {
				if (!bad)
					printf("memfill: FAIL write: block at 0x%x changed\n", a);
				bad++;
			}
		}
		printf("memfill: write: re-check pass %u: %u bad blocks\n", pass, bad);
	} while (go_on(&u, pass));
	if (bad) {
		printf("memfill: FAIL write: %u bad blocks in %u passes\n", bad, pass);
		return 1;
	}
	printf("memfill: write ok: %u re-check passes, every block intact\n", pass);
	return 0;
}

/* The planted block: 16-byte aligned, in the scanner's own image. */
static volatile uint32_t planted[4] __attribute__((aligned(16)));

static void __attribute__((noinline)) plant(uint32_t key)
{
	planted[0] = C0 ^ key;
	planted[1] = C1 ^ key;
	planted[2] = (uint32_t)planted;
	planted[3] = (uint32_t)planted ^ C2 ^ key;
}

/* Counts the markers (M0 then M1, at any 4-byte boundary) in [a, e); the
 * planted one is counted in *own, the others returned (*first: the first). */
static uint32_t __attribute__((noinline)) scan_range(uint32_t a, uint32_t e, uint32_t key,
						     uint32_t *own, uint32_t *first)
{
	uint32_t hits = 0;
	for (; a + 8 <= e; a += 4) {
		volatile uint32_t *p = (volatile uint32_t *)a;
		if ((p[0] ^ key) == C0 && (p[1] ^ key) == C1) {
			if (a == (uint32_t)planted) {
				(*own)++;
			} else {
				if (!hits && !*first)
					*first = a;
				hits++;
			}
		}
	}
	return hits;
}

static int scanner(struct mb1_info *info, const char *cl, uint64_t per_ms)
{
	uint32_t key = key_store;
	uint32_t top = 0x100000u + info->mem_upper * 1024u;
	if (!(info->flags & (1u << 6))) {
		printf("memfill: FAIL scan: no memory map\n");
		return 1;
	}
	plant(key);
	struct until u = until_of(cl, per_ms);
	uint32_t pass = 0, total = 0, kib = 0, bad_own = 0;
	do {
		pass++;
		uint32_t hits = 0, own = 0, first = 0;
		kib = 0;
		for (uint32_t off = 0; off < info->mmap_length;) {
			struct mb1_mmap *m = (struct mb1_mmap *)(info->mmap_addr + off);
			off += m->size + 4;
			if (m->addr >= 0x100000000ull || (m->type != 1 && m->type != 2))
				continue;
			uint32_t a = (uint32_t)m->addr;
			uint64_t e64 = m->addr + m->len;
			uint32_t e = e64 > top ? top : (uint32_t)e64;
			if (a < 0xc0000 && e > 0xa0000) {	/* the VGA hole */
				if (a < 0xa0000) {
					hits += scan_range(a, 0xa0000, key, &own, &first);
					kib += (0xa0000 - a) / 1024;
				}
				a = 0xc0000;
			}
			if (a >= e)
				continue;
			hits += scan_range(a, e, key, &own, &first);
			kib += (e - a) / 1024;
		}
		if (own != 1)
			bad_own++;
		total += hits;
		printf("memfill: scan pass %u: %u KiB scanned, planted marker %s, %u foreign markers%s",
		       pass, kib, own == 1 ? "found" : "MISSING", hits, hits ? "" : "\n");
		if (hits)
			printf(" (first at 0x%x)\n", first);
	} while (go_on(&u, pass));
	if (total || bad_own) {
		printf("memfill: FAIL scan: %u foreign markers, planted marker missed in %u of %u passes\n",
		       total, bad_own, pass);
		return 1;
	}
	printf("memfill: scan ok: %u passes over %u KiB, the other VM's marker never seen\n",
	       pass, kib);
	return 0;
}

int guest_main(uint32_t magic, struct mb1_info *info)
{
	const char *cl = (info->flags & 4) ? (const char *)info->cmdline : "";
	uint64_t per_ms = tsc_per_ms();
	if (has(cl, "write"))
		return writer(info, cl, per_ms);
	if (has(cl, "scan"))
		return scanner(info, cl, per_ms);
	printf("memfill: FAIL: say \"write\" or \"scan\"\n");
	return 1;
}
