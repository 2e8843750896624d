/*
 * tests/unit/test_emulate.c - unit tests of arch/x86/insn/emulate.c.
 *
 * Instructions are decoded with insn_decode and run against a fake memory
 * that logs every access. ALU results and flags are checked against the
 * host CPU executing the same operation (inline asm) as the oracle.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "arch/x86/insn/decode.h"
#include "arch/x86/insn/emulate.h"
#include "tests/unit/hex_bytes.h"

/* ---- fake memory -------------------------------------------------------- */

#define MEM_SIZE 0x4000
#define LOG_MAX 16

struct access {
	bool write;
	uint64_t linear;
	unsigned size;
	uint64_t val;
};

struct fake_mem {
	uint64_t base;			/* linear address of mem[0] */
	uint8_t mem[MEM_SIZE];
	uint64_t fault_at;		/* an access covering it returns EMU_FAULT */
	uint64_t write_fault_at;	/* the same for writes only */
	bool lax;			/* outside mem[]: read 0, drop writes */
	unsigned count;			/* accesses (all of them) */
	struct access log[LOG_MAX];	/* the first LOG_MAX */
};

static int mem_access(struct fake_mem *m, bool write, uint64_t linear, unsigned size,
		      uint64_t *val)
{
	assert_true(size == 1 || size == 2 || size == 4 || size == 8);
	if (m->fault_at && m->fault_at >= linear && m->fault_at < linear + size)
		return EMU_FAULT;
	if (write && m->write_fault_at && m->write_fault_at >= linear &&
	    m->write_fault_at < linear + size)
		return EMU_FAULT;
	bool outside = linear < m->base || linear - m->base + size > MEM_SIZE;
	if (outside && !m->lax)
		return EMU_ERROR;
	uint8_t *p = m->mem + (linear - m->base);
	if (outside) {
		if (!write)
			*val = 0;
	} else if (write)
		memcpy(p, val, size);		/* little-endian host */
	else {
		*val = 0;
		memcpy(val, p, size);
	}
	if (m->count < LOG_MAX)
		m->log[m->count] = (struct access){ write, linear, size, *val };
	m->count++;
	return EMU_OK;
}

static int fake_read(void *ctx, uint64_t linear, unsigned size, uint64_t *val)
{
	return mem_access(ctx, false, linear, size, val);
}

static int fake_write(void *ctx, uint64_t linear, unsigned size, uint64_t val)
{
	return mem_access(ctx, true, linear, size, &val);
}

/* ---- harness ------------------------------------------------------------ */

#define MEM_BASE 0x10000ull
#define RIP0 0x401000ull

struct env {
	struct gprs regs;
	struct emu_state st;
	struct fake_mem m;
	struct emu_ops ops;
	struct insn in;
};

static void env_init(struct env *v, unsigned mode)
{
	memset(v, 0, sizeof(*v));
	v->st.regs = &v->regs;
	v->st.mode_bits = mode;
	v->st.rip = RIP0;
	v->st.rflags = 0x2;
	v->m.base = MEM_BASE;
	v->st.ctx = &v->m;
	v->ops = (struct emu_ops){ .read = fake_read, .write = fake_write };
}

static int run_bytes(struct env *v, const uint8_t *b, size_t n)
{
	int rc = insn_decode(&v->in, b, n, v->st.mode_bits);

	if (rc != INSN_OK || v->in.len != n)
		fail_msg("decode failed: rc %d len %u of %zu", rc, rc ? 0 : v->in.len, n);
	v->m.count = 0;
	return insn_emulate(&v->st, &v->in, &v->ops);
}

static int run(struct env *v, const char *hex)
{
	uint8_t b[16];
	size_t n = hex_bytes(hex, b, sizeof(b));
	return run_bytes(v, b, n);
}

/* Runs `hex`, expecting EMU_OK and rip advanced by its length. */
static void run_ok(struct env *v, const char *hex)
{
	uint64_t rip = v->st.rip;
	int rc = run(v, hex);

	if (rc != EMU_OK)
		fail_msg("%s: rc %d", hex, rc);
	uint64_t want = rip + v->in.len;
	if (v->st.mode_bits != 64)
		want &= 0xffffffff;
	assert_int_equal(v->st.rip, want);
}

static uint64_t mem_get(struct env *v, uint64_t linear, unsigned size)
{
	uint64_t val = 0;

	assert_true(linear >= v->m.base && linear - v->m.base + size <= MEM_SIZE);
	memcpy(&val, v->m.mem + (linear - v->m.base), size);
	return val;
}

static void mem_set(struct env *v, uint64_t linear, unsigned size, uint64_t val)
{
	assert_true(linear >= v->m.base && linear - v->m.base + size <= MEM_SIZE);
	memcpy(v->m.mem + (linear - v->m.base), &val, size);
}

static void check_access(struct env *v, unsigned i, bool write, uint64_t linear,
			 unsigned size, uint64_t val)
{
	assert_true(i < v->m.count);
	const struct access *a = &v->m.log[i];
	if (a->write != write || a->linear != linear || a->size != size || a->val != val)
		fail_msg("access %u: %s %#llx size %u val %#llx; expected %s %#llx size %u val %#llx",
			 i, a->write ? "write" : "read", (unsigned long long)a->linear, a->size,
			 (unsigned long long)a->val, write ? "write" : "read",
			 (unsigned long long)linear, size, (unsigned long long)val);
}

/* ---- host oracle -------------------------------------------------------- */

/* The asm moves rsp below the red zone before pushing. */
#define HOST_BIN(mn, sfx, m)						\
	asm volatile("sub $128, %%rsp\n\tpush %[fin]\n\tpopfq\n\t"	\
		     mn sfx " %" m "[b], %" m "[a]\n\t"			\
		     "pushfq\n\tpop %[fout]\n\tadd $128, %%rsp"		\
		     : [a] "+r"(a), [fout] "=&r"(fout)			\
		     : [b] "r"(b), [fin] "r"(fin) : "cc", "memory")
#define HOST_UN(mn, sfx, m)						\
	asm volatile("sub $128, %%rsp\n\tpush %[fin]\n\tpopfq\n\t"	\
		     mn sfx " %" m "[a]\n\t"				\
		     "pushfq\n\tpop %[fout]\n\tadd $128, %%rsp"		\
		     : [a] "+r"(a), [fout] "=&r"(fout)			\
		     : [fin] "r"(fin) : "cc", "memory")
#define BY_SIZE(HOST, mn)						\
	switch (size) {							\
	case 1: HOST(mn, "b", "b"); break;				\
	case 2: HOST(mn, "w", "w"); break;				\
	case 4: HOST(mn, "l", "k"); break;				\
	default: HOST(mn, "q", "q"); break;				\
	}

enum { OP_ADD, OP_OR, OP_ADC, OP_SBB, OP_AND, OP_SUB, OP_XOR, OP_CMP,
       OP_TEST, OP_NEG, OP_NOT, OP_INC, OP_DEC };

/* Returns a op b computed by the host CPU; *flags gets its RFLAGS. */
static uint64_t host_op(int op, unsigned size, uint64_t a, uint64_t b,
			uint64_t flags_in, uint64_t *flags)
{
	uint64_t fin = (flags_in & RFLAGS_ARITH) | 2, fout = 0;

	switch (op) {
	case OP_ADD: BY_SIZE(HOST_BIN, "add"); break;
	case OP_OR: BY_SIZE(HOST_BIN, "or"); break;
	case OP_ADC: BY_SIZE(HOST_BIN, "adc"); break;
	case OP_SBB: BY_SIZE(HOST_BIN, "sbb"); break;
	case OP_AND: BY_SIZE(HOST_BIN, "and"); break;
	case OP_SUB: BY_SIZE(HOST_BIN, "sub"); break;
	case OP_XOR: BY_SIZE(HOST_BIN, "xor"); break;
	case OP_CMP: BY_SIZE(HOST_BIN, "cmp"); break;
	case OP_TEST: BY_SIZE(HOST_BIN, "test"); break;
	case OP_NEG: BY_SIZE(HOST_UN, "neg"); break;
	case OP_NOT: BY_SIZE(HOST_UN, "not"); break;
	case OP_INC: BY_SIZE(HOST_UN, "inc"); break;
	case OP_DEC: BY_SIZE(HOST_UN, "dec"); break;
	}
	*flags = fout;
	return a;
}

/* Flags the SDM leaves undefined for op: not compared. */
static uint64_t undefined_flags(int op)
{
	return (op == OP_OR || op == OP_AND || op == OP_XOR || op == OP_TEST) ? RFLAGS_AF : 0;
}

static uint64_t size_mask(unsigned size)
{
	return size == 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static const uint64_t edge_values[] = {
	0, 1, 2, 0x0f, 0x10, 0x7f, 0x80, 0x81, 0xff, 0x100, 0x7fff, 0x8000, 0xffff,
	0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull, 0x7fffffffffffffffull,
	0x8000000000000000ull, 0xffffffffffffffffull, 0xfffffffffffffffeull,
};
#define N_EDGE (sizeof(edge_values) / sizeof(edge_values[0]))

static uint64_t test_value(unsigned i)
{
	if (i < N_EDGE)
		return edge_values[i];
	uint64_t v = rnd();
	return (i & 1) ? v : (uint64_t)(int64_t)(int8_t)v;	/* many small values */
}

/* Appends the size prefix (66 / REX.W) for an operation of `size`. */
static size_t size_prefix(uint8_t *b, unsigned size, unsigned mode)
{
	if (size == 8) {
		b[0] = 0x48;
		return 1;
	}
	if ((size == 2) != (mode == 16) && size != 1) {
		b[0] = 0x66;
		return 1;
	}
	return 0;
}

/* rBX = MEM_BASE + off as a linear address; in 16-bit mode through DS. */
static void set_rbx(struct env *v, uint64_t off)
{
	if (v->st.mode_bits == 16) {
		v->st.seg_base[SEG_DS] = MEM_BASE;
		v->regs.r[GPR_RBX] = off;
	} else {
		v->regs.r[GPR_RBX] = MEM_BASE + off;
	}
}

static void check_flags(struct env *v, int op, uint64_t host_flags, const char *what,
			unsigned size, uint64_t a, uint64_t b)
{
	uint64_t mask = RFLAGS_ARITH & ~undefined_flags(op);

	if ((v->st.rflags & mask) != (host_flags & mask))
		fail_msg("%s op %d size %u a %#llx b %#llx: flags %#llx, host %#llx", what, op,
			 size, (unsigned long long)a, (unsigned long long)b,
			 (unsigned long long)(v->st.rflags & mask),
			 (unsigned long long)(host_flags & mask));
	/* Non-arithmetic flags are untouched. */
	assert_int_equal(v->st.rflags & ~(uint64_t)RFLAGS_ARITH, 0x2 | RFLAGS_IF);
}

/* ---- ALU against the host ----------------------------------------------- */

static void test_alu_vs_host(void **state)
{
	static const unsigned sizes[] = { 1, 2, 4, 8 };
	struct env v;

	for (unsigned mode = 16; mode <= 64; mode *= 2) {
		for (int op = OP_ADD; op <= OP_CMP; op++) {
			for (unsigned si = 0; si < 4; si++) {
				unsigned size = sizes[si];

				if (size == 8 && mode != 64)
					continue;
				for (unsigned i = 0; i < 300; i++) {
					uint64_t a = test_value(i), b = test_value(i * 7 + 3);
					uint64_t fin = (rnd() & RFLAGS_ARITH) | RFLAGS_IF | 2;
					uint64_t hf, hr = host_op(op, size, a, b, fin, &hf);
					uint8_t code[8];
					size_t n;

					for (int dir = 0; dir < 2; dir++) {
						env_init(&v, mode);
						v.st.rflags = fin;
						n = size_prefix(code, size, mode);
						/* op Ev,Gv: [rbx/bx] , rcx / op Gv,Ev */
						code[n++] = (uint8_t)((op << 3) | (dir << 1) | (size != 1));
						code[n++] = mode == 16 ? 0x0f : 0x0b;	/* [bx] / [rbx], reg rcx */
						set_rbx(&v, 0x100);
						uint64_t rcx_hi = rnd();
						if (dir == 0) {
							mem_set(&v, MEM_BASE + 0x100, 8, rnd());
							mem_set(&v, MEM_BASE + 0x100, size, a);
							v.regs.r[GPR_RCX] = (rcx_hi & ~size_mask(size)) | (b & size_mask(size));
						} else {
							mem_set(&v, MEM_BASE + 0x100, size, b);
							v.regs.r[GPR_RCX] = (rcx_hi & ~size_mask(size)) | (a & size_mask(size));
						}
						uint64_t mem_before = mem_get(&v, MEM_BASE + 0x100, 8);
						assert_int_equal(run_bytes(&v, code, n), EMU_OK);
						check_flags(&v, op, hf, dir ? "alu G,E" : "alu E,G", size, a, b);
						if (dir == 0) {
							uint64_t want = op == OP_CMP ? mem_before :
								(mem_before & ~size_mask(size)) | (hr & size_mask(size));
							assert_int_equal(mem_get(&v, MEM_BASE + 0x100, 8), want);
							assert_int_equal(v.m.count, op == OP_CMP ? 1 : 2);
						} else {
							uint64_t want = (rcx_hi & ~size_mask(size)) | (a & size_mask(size));
							if (op != OP_CMP)
								want = size == 4 ? (hr & 0xffffffff) :
									(rcx_hi & ~size_mask(size)) | (hr & size_mask(size));
							assert_int_equal(v.regs.r[GPR_RCX], want);
							assert_int_equal(v.m.count, 1);
						}
					}

					/* Immediate group: 80 / 81 / 83 with [rbx+disp8]. */
					for (int form = 0; form < 2; form++) {
						uint64_t imm = form ? (uint64_t)(int64_t)(int8_t)b :
							   (size == 8 ? (uint64_t)(int64_t)(int32_t)b : b);
						host_op(op, size, a, imm, fin, &hf);
						hr = host_op(op, size, a, imm, fin, &hf);
						env_init(&v, mode);
						v.st.rflags = fin;
						n = size_prefix(code, size, mode);
						if (size == 1) {
							if (form)
								continue;
							code[n++] = 0x80;
						} else {
							code[n++] = form ? 0x83 : 0x81;
						}
						code[n++] = (uint8_t)(0x40 | (op << 3) | (mode == 16 ? 7 : 3));
						code[n++] = 0x08;			/* disp8 */
						unsigned isz = form || size == 1 ? 1 : size == 2 ? 2 : 4;
						for (unsigned k = 0; k < isz; k++)
							code[n++] = (uint8_t)(b >> (8 * k));
						set_rbx(&v, 0x100);
						mem_set(&v, MEM_BASE + 0x108, size, a);
						assert_int_equal(run_bytes(&v, code, n), EMU_OK);
						check_flags(&v, op, hf, "alu imm", size, a, imm);
						assert_int_equal(mem_get(&v, MEM_BASE + 0x108, size),
								 (op == OP_CMP ? a : hr) & size_mask(size));
					}
				}
			}
		}
	}
}

static void test_unary_test_vs_host(void **state)
{
	static const unsigned sizes[] = { 1, 2, 4, 8 };
	struct env v;

	for (unsigned si = 0; si < 4; si++) {
		unsigned size = sizes[si];

		for (unsigned i = 0; i < 400; i++) {
			uint64_t a = test_value(i), b = test_value(i + 11);
			uint64_t fin = (rnd() & RFLAGS_ARITH) | RFLAGS_IF | 2;
			uint8_t code[16];
			size_t n;

			/* F6/F7 /2 NOT, /3 NEG; FE/FF /0 INC, /1 DEC on [rax]. */
			static const struct { int op; uint8_t grp, reg; } un[] = {
				{ OP_NOT, 0xf6, 2 }, { OP_NEG, 0xf6, 3 },
				{ OP_INC, 0xfe, 0 }, { OP_DEC, 0xfe, 1 },
			};
			for (int u = 0; u < 4; u++) {
				uint64_t hf, hr = host_op(un[u].op, size, a, 0, fin, &hf);

				env_init(&v, 64);
				v.st.rflags = fin;
				n = size_prefix(code, size, 64);
				code[n++] = un[u].grp | (size != 1);
				code[n++] = (uint8_t)(un[u].reg << 3);	/* [rax] */
				v.regs.r[GPR_RAX] = MEM_BASE + 0x40;
				mem_set(&v, MEM_BASE + 0x40, size, a);
				assert_int_equal(run_bytes(&v, code, n), EMU_OK);
				check_flags(&v, un[u].op, un[u].op == OP_NOT ? fin : hf, "unary", size, a, 0);
				assert_int_equal(mem_get(&v, MEM_BASE + 0x40, size), hr & size_mask(size));
			}

			/* 84/85 TEST [rax], rdx and F6/F7 /0 TEST [rax], imm */
			uint64_t hf;
			host_op(OP_TEST, size, a, b, fin, &hf);
			env_init(&v, 64);
			v.st.rflags = fin;
			n = size_prefix(code, size, 64);
			code[n++] = 0x84 | (size != 1);
			code[n++] = 0x10;
			v.regs.r[GPR_RAX] = MEM_BASE + 0x40;
			v.regs.r[GPR_RDX] = b;
			mem_set(&v, MEM_BASE + 0x40, size, a);
			assert_int_equal(run_bytes(&v, code, n), EMU_OK);
			check_flags(&v, OP_TEST, hf, "test", size, a, b);
			assert_int_equal(mem_get(&v, MEM_BASE + 0x40, size), a & size_mask(size));

			uint64_t imm = size == 8 ? (uint64_t)(int64_t)(int32_t)b : b;
			host_op(OP_TEST, size, a, imm, fin, &hf);
			env_init(&v, 64);
			v.st.rflags = fin;
			n = size_prefix(code, size, 64);
			code[n++] = 0xf6 | (size != 1);
			code[n++] = 0x00;
			for (unsigned k = 0; k < (size == 1 ? 1u : size == 2 ? 2u : 4u); k++)
				code[n++] = (uint8_t)(b >> (8 * k));
			v.regs.r[GPR_RAX] = MEM_BASE + 0x40;
			mem_set(&v, MEM_BASE + 0x40, size, a);
			assert_int_equal(run_bytes(&v, code, n), EMU_OK);
			check_flags(&v, OP_TEST, hf, "test imm", size, a, imm);
		}
	}
}

/* ---- MOV ------------------------------------------------------------- */

static void test_mov_store(void **state)
{
	struct env v;

	env_init(&v, 64);
	v.regs.r[GPR_RBX] = MEM_BASE + 0x10;
	v.regs.r[GPR_RAX] = 0x1122334455667788;
	run_ok(&v, "88 03");				/* mov [rbx], al */
	check_access(&v, 0, true, MEM_BASE + 0x10, 1, 0x88);
	run_ok(&v, "88 23");				/* mov [rbx], ah */
	check_access(&v, 0, true, MEM_BASE + 0x10, 1, 0x77);
	v.regs.r[GPR_RSP] = 0xaabb;
	run_ok(&v, "40 88 23");				/* mov [rbx], spl */
	check_access(&v, 0, true, MEM_BASE + 0x10, 1, 0xbb);
	v.regs.r[GPR_R8] = 0x99;
	run_ok(&v, "44 88 03");				/* mov [rbx], r8b */
	check_access(&v, 0, true, MEM_BASE + 0x10, 1, 0x99);
	run_ok(&v, "66 89 03");
	check_access(&v, 0, true, MEM_BASE + 0x10, 2, 0x7788);
	run_ok(&v, "89 03");
	check_access(&v, 0, true, MEM_BASE + 0x10, 4, 0x55667788);
	run_ok(&v, "48 89 03");
	check_access(&v, 0, true, MEM_BASE + 0x10, 8, 0x1122334455667788);
	assert_int_equal(mem_get(&v, MEM_BASE + 0x10, 8), 0x1122334455667788);
	assert_int_equal(v.m.count, 1);

	run_ok(&v, "c6 43 04 5a");			/* mov byte [rbx+4], 0x5a */
	check_access(&v, 0, true, MEM_BASE + 0x14, 1, 0x5a);
	run_ok(&v, "66 c7 03 34 12");
	check_access(&v, 0, true, MEM_BASE + 0x10, 2, 0x1234);
	run_ok(&v, "c7 03 78 56 34 12");
	check_access(&v, 0, true, MEM_BASE + 0x10, 4, 0x12345678);
	run_ok(&v, "48 c7 03 fe ff ff ff");		/* sign-extended imm32 */
	check_access(&v, 0, true, MEM_BASE + 0x10, 8, 0xfffffffffffffffe);

	/* 16-bit mode: 89 is a 16-bit store, 66 makes it 32. */
	env_init(&v, 16);
	v.regs.r[GPR_RBX] = 0x20;
	v.regs.r[GPR_RAX] = 0xdeadbeef;
	v.st.seg_base[SEG_DS] = MEM_BASE;
	run_ok(&v, "89 07");
	check_access(&v, 0, true, MEM_BASE + 0x20, 2, 0xbeef);
	run_ok(&v, "66 89 07");
	check_access(&v, 0, true, MEM_BASE + 0x20, 4, 0xdeadbeef);
}

static void test_mov_load(void **state)
{
	struct env v;

	env_init(&v, 64);
	v.regs.r[GPR_RSI] = MEM_BASE + 0x80;
	mem_set(&v, MEM_BASE + 0x80, 8, 0x8899aabbccddeeff);
	v.regs.r[GPR_RCX] = 0x1111111111111111;
	run_ok(&v, "8a 0e");				/* mov cl, [rsi] */
	assert_int_equal(v.regs.r[GPR_RCX], 0x11111111111111ff);
	check_access(&v, 0, false, MEM_BASE + 0x80, 1, 0xff);
	v.regs.r[GPR_RCX] = 0x1111111111111111;
	run_ok(&v, "8a 2e");				/* mov ch, [rsi] */
	assert_int_equal(v.regs.r[GPR_RCX], 0x111111111111ff11);
	run_ok(&v, "66 8b 0e");
	assert_int_equal(v.regs.r[GPR_RCX], 0x111111111111eeff);
	run_ok(&v, "8b 0e");				/* 32-bit: zero-extends */
	assert_int_equal(v.regs.r[GPR_RCX], 0xccddeeff);
	run_ok(&v, "4c 8b 3e");				/* mov r15, [rsi] */
	assert_int_equal(v.regs.r[GPR_R15], 0x8899aabbccddeeff);
	check_access(&v, 0, false, MEM_BASE + 0x80, 8, 0x8899aabbccddeeff);

	/* MOVZX / MOVSX / MOVSXD */
	mem_set(&v, MEM_BASE + 0x80, 4, 0x8081f0f1);
	v.regs.r[GPR_RAX] = ~0ull;
	run_ok(&v, "0f b6 06");
	assert_int_equal(v.regs.r[GPR_RAX], 0xf1);
	run_ok(&v, "48 0f be 06");
	assert_int_equal(v.regs.r[GPR_RAX], 0xfffffffffffffff1);
	run_ok(&v, "0f b7 06");
	assert_int_equal(v.regs.r[GPR_RAX], 0xf0f1);
	run_ok(&v, "0f bf 06");
	assert_int_equal(v.regs.r[GPR_RAX], 0xfffff0f1);
	v.regs.r[GPR_RAX] = 0x1234567812345678;
	run_ok(&v, "66 0f be 06");			/* movsx ax, byte */
	assert_int_equal(v.regs.r[GPR_RAX], 0x123456781234fff1);
	run_ok(&v, "48 63 06");				/* movsxd rax, dword */
	assert_int_equal(v.regs.r[GPR_RAX], 0xffffffff8081f0f1);
	check_access(&v, 0, false, MEM_BASE + 0x80, 4, 0x8081f0f1);

	/* 32-bit mode: 63 is ARPL. */
	env_init(&v, 32);
	assert_int_equal(run(&v, "63 06"), EMU_UNSUPPORTED);
	assert_int_equal(v.st.rip, RIP0);
}

static void test_moffs(void **state)
{
	struct env v;

	env_init(&v, 64);
	v.regs.r[GPR_RAX] = 0x0102030405060708;
	run_ok(&v, "48 a3 00 02 01 00 00 00 00 00");	/* mov [0x10200], rax */
	check_access(&v, 0, true, 0x10200, 8, 0x0102030405060708);
	run_ok(&v, "a2 01 02 01 00 00 00 00 00");	/* mov [0x10201], al */
	check_access(&v, 0, true, 0x10201, 1, 0x08);
	v.regs.r[GPR_RAX] = 0;
	run_ok(&v, "a1 00 02 01 00 00 00 00 00");
	assert_int_equal(v.regs.r[GPR_RAX], 0x05060808);
	run_ok(&v, "67 a0 03 02 01 00");		/* 32-bit moffs */
	assert_int_equal(v.regs.r[GPR_RAX], 0x05060805);
	/* FS applies in 64-bit mode, DS does not. */
	v.st.seg_base[SEG_FS] = 0x10000;
	v.st.seg_base[SEG_DS] = 0x5000000;
	run_ok(&v, "64 a0 00 02 00 00 00 00 00 00");
	check_access(&v, 0, false, 0x10200, 1, 0x08);
	run_ok(&v, "3e a0 00 02 01 00 00 00 00 00");
	check_access(&v, 0, false, 0x10200, 1, 0x08);

	/* 32-bit mode: DS base added, 16-bit moffs with 67. */
	env_init(&v, 32);
	v.st.seg_base[SEG_DS] = 0x10000;
	v.regs.r[GPR_RAX] = 0xcafe;
	run_ok(&v, "66 a3 10 00 00 00");
	check_access(&v, 0, true, 0x10010, 2, 0xcafe);
	run_ok(&v, "67 a2 20 00");
	check_access(&v, 0, true, 0x10020, 1, 0xfe);
	v.st.seg_base[SEG_GS] = 0x10100;
	run_ok(&v, "65 a1 04 00 00 00");
	check_access(&v, 0, false, 0x10104, 4, 0);
}

/* ---- effective addresses ------------------------------------------------ */

static void test_ea_16(void **state)
{
	static const struct { const char *hex; uint64_t off; bool ss; } t[] = {
		{ "8b 00", 0x100 + 0x10, false },		/* [bx+si] */
		{ "8b 01", 0x100 + 0x20, false },		/* [bx+di] */
		{ "8b 02", 0x200 + 0x10, true },		/* [bp+si] */
		{ "8b 03", 0x200 + 0x20, true },		/* [bp+di] */
		{ "8b 04", 0x10, false },			/* [si] */
		{ "8b 05", 0x20, false },			/* [di] */
		{ "8b 06 40 00", 0x40, false },			/* [disp16] */
		{ "8b 07", 0x100, false },			/* [bx] */
		{ "8b 46 fe", 0x200 - 2, true },		/* [bp-2] */
		{ "8b 87 00 01", 0x200, false },		/* [bx+0x100] */
		{ "3e 8b 46 00", 0x200, false },		/* ds:[bp] */
		{ "36 8b 07", 0x100, true },			/* ss:[bx] */
	};
	struct env v;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		env_init(&v, 16);
		v.st.seg_base[SEG_DS] = MEM_BASE;
		v.st.seg_base[SEG_SS] = MEM_BASE + 0x1000;
		v.regs.r[GPR_RBX] = 0xffff0100;		/* upper bits ignored */
		v.regs.r[GPR_RBP] = 0x200;
		v.regs.r[GPR_RSI] = 0x10;
		v.regs.r[GPR_RDI] = 0x20;
		run_ok(&v, t[i].hex);
		check_access(&v, 0, false, MEM_BASE + (t[i].ss ? 0x1000 : 0) + t[i].off, 2, 0);
	}

	/* 16-bit offsets wrap at 64 KiB: [bx+si] = 0xfff0 + 0x20 = 0x10. */
	env_init(&v, 16);
	v.st.seg_base[SEG_DS] = MEM_BASE;
	v.regs.r[GPR_RBX] = 0xfff0;
	v.regs.r[GPR_RSI] = 0x20;
	run_ok(&v, "8b 00");
	check_access(&v, 0, false, MEM_BASE + 0x10, 2, 0);
	/* 32-bit addressing in 16-bit code: no wrap at 64 KiB */
	v.regs.r[GPR_RAX] = 0xfff0;
	v.st.seg_base[SEG_DS] = MEM_BASE - 0xfff0;
	run_ok(&v, "67 8b 48 20");
	check_access(&v, 0, false, MEM_BASE + 0x20, 2, 0);
}

static void test_ea_32_64(void **state)
{
	struct env v;

	env_init(&v, 32);
	v.st.seg_base[SEG_DS] = 0x10000;
	v.st.seg_base[SEG_SS] = 0x11000;
	v.regs.r[GPR_RAX] = 0x100;
	v.regs.r[GPR_RCX] = 0x10;
	v.regs.r[GPR_RSP] = 0x200;
	v.regs.r[GPR_RBP] = 0x300;
	run_ok(&v, "8b 54 88 04");			/* [eax+ecx*4+4] */
	check_access(&v, 0, false, 0x10144, 4, 0);
	run_ok(&v, "8b 54 24 08");			/* [esp+8]: SS */
	check_access(&v, 0, false, 0x11208, 4, 0);
	run_ok(&v, "8b 55 00");				/* [ebp]: SS */
	check_access(&v, 0, false, 0x11300, 4, 0);
	run_ok(&v, "8b 54 0d 00");			/* [ebp+ecx]: SS */
	check_access(&v, 0, false, 0x11310, 4, 0);
	run_ok(&v, "8b 14 4d 00 01 00 00");		/* [ecx*2+0x100], no base: DS */
	check_access(&v, 0, false, 0x10120, 4, 0);
	run_ok(&v, "8b 15 00 02 00 00");		/* [0x200] absolute */
	check_access(&v, 0, false, 0x10200, 4, 0);
	assert_int_equal(run(&v, "26 8b 10"), EMU_ERROR);	/* 0x100: outside */
	/* Linear addresses wrap at 4 GiB. */
	v.st.seg_base[SEG_DS] = 0xfffff000;
	v.regs.r[GPR_RAX] = 0x11100;
	run_ok(&v, "8b 10");
	check_access(&v, 0, false, 0x10100, 4, 0);
	/* The 32-bit offset wraps too: eax + disp32 */
	v.st.seg_base[SEG_DS] = 0x10000;
	v.regs.r[GPR_RAX] = 0xffffff00;
	run_ok(&v, "8b 90 00 02 00 00");
	check_access(&v, 0, false, 0x10100, 4, 0);

	/* 64-bit */
	env_init(&v, 64);
	v.st.seg_base[SEG_DS] = 0x7000000;
	v.st.seg_base[SEG_SS] = 0x7000000;
	v.st.seg_base[SEG_ES] = 0x7000000;
	v.st.seg_base[SEG_FS] = 0x10000;
	v.st.seg_base[SEG_GS] = 0xffff800000000000;
	v.regs.r[GPR_R12] = MEM_BASE + 0x100;
	v.regs.r[GPR_R13] = 0x10;
	run_ok(&v, "43 8b 04 2c");			/* [r12+r13] */
	check_access(&v, 0, false, MEM_BASE + 0x110, 4, 0);
	run_ok(&v, "43 8b 44 ac 08");			/* [r12+r13*4+8] */
	check_access(&v, 0, false, MEM_BASE + 0x148, 4, 0);
	run_ok(&v, "64 8b 04 25 40 00 00 00");		/* fs:[0x40] */
	check_access(&v, 0, false, 0x10040, 4, 0);
	v.regs.r[GPR_RAX] = MEM_BASE - 0xffff800000000000;
	run_ok(&v, "65 8b 00");				/* gs:[rax] wraps mod 2^64 */
	check_access(&v, 0, false, MEM_BASE, 4, 0);
	v.regs.r[GPR_RSP] = MEM_BASE + 0x20;
	run_ok(&v, "36 48 8b 04 24");			/* ss base ignored */
	check_access(&v, 0, false, MEM_BASE + 0x20, 8, 0);
	/* Negative displacement with a 64-bit base. */
	v.regs.r[GPR_RBX] = MEM_BASE + 0x200;
	run_ok(&v, "8b 43 f0");
	check_access(&v, 0, false, MEM_BASE + 0x1f0, 4, 0);
	/* 67: 32-bit effective address, truncated. */
	v.regs.r[GPR_RBX] = 0xabcd000000000000 | (MEM_BASE + 0x30);
	run_ok(&v, "67 8b 03");
	check_access(&v, 0, false, MEM_BASE + 0x30, 4, 0);

	/* RIP-relative: relative to the next instruction. */
	env_init(&v, 64);
	v.st.rip = MEM_BASE + 0x1000;
	run_ok(&v, "8b 05 10 00 00 00");		/* 6 bytes */
	check_access(&v, 0, false, MEM_BASE + 0x1016, 4, 0);
	assert_int_equal(v.st.rip, MEM_BASE + 0x1006);
	run_ok(&v, "c7 05 f0 ff ff ff 44 33 22 11");	/* [rip-16], 10 bytes */
	check_access(&v, 0, true, MEM_BASE + 0x1006 + 10 - 16, 4, 0x11223344);
	v.st.rip = 0x100000000ull + MEM_BASE;
	run_ok(&v, "67 8b 05 00 01 00 00");		/* EIP-relative wraps at 4 GiB */
	check_access(&v, 0, false, MEM_BASE + 0x107, 4, 0);
}

/* ---- strings -------------------------------------------------------------- */

static void test_stos_movs_lods(void **state)
{
	struct env v;

	/* rep stosd forward, 64-bit */
	env_init(&v, 64);
	v.regs.r[GPR_RDI] = MEM_BASE + 0x100;
	v.regs.r[GPR_RCX] = 3;
	v.regs.r[GPR_RAX] = 0xa5a5a5a5;
	v.st.seg_base[SEG_ES] = 0x5000;			/* ignored in 64-bit mode */
	run_ok(&v, "f3 ab");
	assert_int_equal(v.m.count, 3);
	for (unsigned i = 0; i < 3; i++)
		check_access(&v, i, true, MEM_BASE + 0x100 + 4 * i, 4, 0xa5a5a5a5);
	assert_int_equal(v.regs.r[GPR_RCX], 0);
	assert_int_equal(v.regs.r[GPR_RDI], MEM_BASE + 0x10c);

	/* std; rep stosw backwards */
	env_init(&v, 64);
	v.st.rflags |= RFLAGS_DF;
	v.regs.r[GPR_RDI] = MEM_BASE + 0x100;
	v.regs.r[GPR_RCX] = 2;
	v.regs.r[GPR_RAX] = 0x1234;
	run_ok(&v, "66 f3 ab");
	check_access(&v, 0, true, MEM_BASE + 0x100, 2, 0x1234);
	check_access(&v, 1, true, MEM_BASE + 0xfe, 2, 0x1234);
	assert_int_equal(v.regs.r[GPR_RDI], MEM_BASE + 0xfc);

	/* single stosb, and stosq */
	env_init(&v, 64);
	v.regs.r[GPR_RDI] = MEM_BASE;
	v.regs.r[GPR_RAX] = 0x8877665544332211;
	v.regs.r[GPR_RCX] = 5;
	run_ok(&v, "aa");
	check_access(&v, 0, true, MEM_BASE, 1, 0x11);
	assert_int_equal(v.regs.r[GPR_RCX], 5);
	run_ok(&v, "48 ab");
	check_access(&v, 0, true, MEM_BASE + 1, 8, 0x8877665544332211);
	assert_int_equal(v.regs.r[GPR_RDI], MEM_BASE + 9);

	/* rep movsb in 32-bit mode: source DS (overridable), destination ES */
	env_init(&v, 32);
	v.st.seg_base[SEG_DS] = 0x10000;
	v.st.seg_base[SEG_ES] = 0x11000;
	v.st.seg_base[SEG_FS] = 0x12000;
	for (unsigned i = 0; i < 4; i++)
		mem_set(&v, 0x10010 + i, 1, 0x40 + i);
	v.regs.r[GPR_RSI] = 0x10;
	v.regs.r[GPR_RDI] = 0x20;
	v.regs.r[GPR_RCX] = 4;
	run_ok(&v, "f3 a4");
	for (unsigned i = 0; i < 4; i++) {
		check_access(&v, 2 * i, false, 0x10010 + i, 1, 0x40 + i);
		check_access(&v, 2 * i + 1, true, 0x11020 + i, 1, 0x40 + i);
	}
	assert_int_equal(v.regs.r[GPR_RSI], 0x14);
	assert_int_equal(v.regs.r[GPR_RDI], 0x24);
	/* fs: overrides the source; the destination stays ES */
	v.regs.r[GPR_RCX] = 1;
	run_ok(&v, "64 f3 a5");
	check_access(&v, 0, false, 0x12014, 4, 0);
	check_access(&v, 1, true, 0x11024, 4, 0);
	run_ok(&v, "26 a5");				/* es: override on source only */
	check_access(&v, 0, false, 0x11018, 4, 0);
	check_access(&v, 1, true, 0x11028, 4, 0);

	/* 16-bit addressing: SI/DI/CX are 16-bit, wrap, upper bits kept */
	env_init(&v, 16);
	v.m.lax = true;
	v.st.seg_base[SEG_DS] = 0x10000;
	v.st.seg_base[SEG_ES] = 0x10000;
	v.regs.r[GPR_RSI] = 0xabcd0000 | 0xffff;
	v.regs.r[GPR_RDI] = 0x12340000 | 0x100;
	v.regs.r[GPR_RCX] = 0x55550002;
	run_ok(&v, "f3 a4");
	check_access(&v, 0, false, 0x1ffff, 1, 0);
	check_access(&v, 2, false, 0x10000, 1, 0);	/* SI wrapped */
	assert_int_equal(v.regs.r[GPR_RSI], 0xabcd0001);
	assert_int_equal(v.regs.r[GPR_RDI], 0x12340102);
	assert_int_equal(v.regs.r[GPR_RCX], 0x55550000);
	/* 67 in 16-bit code: the count is ECX (CX alone would be 1) */
	uint64_t rip = v.st.rip;
	v.regs.r[GPR_RCX] = 0x10001;
	v.regs.r[GPR_RDI] = 0;
	assert_int_equal(run(&v, "67 f3 aa"), EMU_OK);
	assert_int_equal(v.m.count, EMU_REP_MAX);
	assert_int_equal(v.regs.r[GPR_RCX], 0x10001 - EMU_REP_MAX);
	assert_int_equal(v.regs.r[GPR_RDI], EMU_REP_MAX);
	assert_int_equal(v.st.rip, rip);		/* not finished yet */
}

static void test_rep_limits(void **state)
{
	struct env v;

	/* rCX == 0: no access, rip advances. */
	env_init(&v, 64);
	v.regs.r[GPR_RDI] = MEM_BASE;
	run_ok(&v, "f3 aa");
	assert_int_equal(v.m.count, 0);

	/* A long rep stops after EMU_REP_MAX iterations without advancing rip. */
	env_init(&v, 64);
	v.regs.r[GPR_RDI] = MEM_BASE;
	v.regs.r[GPR_RCX] = EMU_REP_MAX + 10;
	assert_int_equal(run(&v, "f3 aa"), EMU_OK);
	assert_int_equal(v.m.count, EMU_REP_MAX);
	assert_int_equal(v.st.rip, RIP0);
	assert_int_equal(v.regs.r[GPR_RCX], 10);
	assert_int_equal(v.regs.r[GPR_RDI], MEM_BASE + EMU_REP_MAX);
	run_ok(&v, "f3 aa");				/* the rest */
	assert_int_equal(v.m.count, 10);
	assert_int_equal(v.regs.r[GPR_RCX], 0);

	/* A fault in iteration 3: two done, registers show it, rip unchanged. */
	env_init(&v, 64);
	v.regs.r[GPR_RSI] = MEM_BASE;
	v.regs.r[GPR_RDI] = MEM_BASE + 0x100;
	v.regs.r[GPR_RCX] = 5;
	v.m.fault_at = MEM_BASE + 0x108;
	assert_int_equal(run(&v, "f3 a5"), EMU_FAULT);
	assert_int_equal(v.regs.r[GPR_RCX], 3);
	assert_int_equal(v.regs.r[GPR_RSI], MEM_BASE + 8);
	assert_int_equal(v.regs.r[GPR_RDI], MEM_BASE + 0x108);
	assert_int_equal(v.st.rip, RIP0);

	/* repne (F2) also repeats MOVS/STOS/LODS */
	env_init(&v, 32);
	v.st.seg_base[SEG_DS] = MEM_BASE;
	mem_set(&v, MEM_BASE, 4, 0x03020100);
	v.regs.r[GPR_RCX] = 3;
	v.regs.r[GPR_RAX] = 0xffffffff;
	run_ok(&v, "f2 ac");				/* repne lodsb */
	assert_int_equal(v.regs.r[GPR_RAX], 0xffffff02);
	assert_int_equal(v.regs.r[GPR_RSI], 3);
	run_ok(&v, "66 ad");				/* lodsw */
	assert_int_equal(v.regs.r[GPR_RAX], 0xffff0003);
}

/* ---- BT, XCHG, CMPXCHG, XADD ---------------------------------------------- */

static void test_bit_ops(void **state)
{
	struct env v;

	env_init(&v, 64);
	v.regs.r[GPR_RBX] = MEM_BASE + 0x100;
	mem_set(&v, MEM_BASE + 0x100, 8, 0x8000000000000001);
	v.regs.r[GPR_RCX] = 0;
	v.st.rflags = 0x2 | RFLAGS_ZF;
	run_ok(&v, "0f a3 0b");				/* bt [rbx], ecx */
	assert_int_equal(v.st.rflags, 0x2 | RFLAGS_ZF | RFLAGS_CF);	/* ZF kept */
	check_access(&v, 0, false, MEM_BASE + 0x100, 4, 1);
	v.regs.r[GPR_RCX] = 63;
	run_ok(&v, "48 0f a3 0b");			/* bt [rbx], rcx */
	assert_true(v.st.rflags & RFLAGS_CF);
	v.regs.r[GPR_RCX] = 33;				/* dword 1, bit 1 */
	run_ok(&v, "0f ab 0b");				/* bts */
	check_access(&v, 0, false, MEM_BASE + 0x104, 4, 0x80000000);
	check_access(&v, 1, true, MEM_BASE + 0x104, 4, 0x80000002);
	assert_false(v.st.rflags & RFLAGS_CF);
	v.regs.r[GPR_RCX] = (uint64_t)-1;		/* bit 31 of the dword below */
	mem_set(&v, MEM_BASE + 0xfc, 4, 0x80000000);
	run_ok(&v, "0f b3 0b");				/* btr */
	check_access(&v, 1, true, MEM_BASE + 0xfc, 4, 0);
	assert_true(v.st.rflags & RFLAGS_CF);
	v.regs.r[GPR_RCX] = (uint64_t)-17;		/* word -2, bit 15 */
	run_ok(&v, "66 0f bb 0b");			/* btc word */
	check_access(&v, 1, true, MEM_BASE + 0xfc, 2, 0x8000);
	v.regs.r[GPR_RCX] = 0x200;			/* bit 512: qword 8 */
	run_ok(&v, "48 0f ab 0b");
	check_access(&v, 1, true, MEM_BASE + 0x140, 8, 1);
	/* imm8 forms: offset modulo the operand width, no displacement */
	mem_set(&v, MEM_BASE + 0x100, 4, 0);
	run_ok(&v, "0f ba 2b 24");			/* bts dword [rbx], 36 -> bit 4 */
	check_access(&v, 1, true, MEM_BASE + 0x100, 4, 0x10);
	run_ok(&v, "0f ba 23 04");			/* bt */
	assert_true(v.st.rflags & RFLAGS_CF);
	assert_int_equal(v.m.count, 1);
	run_ok(&v, "0f ba 33 04");			/* btr */
	check_access(&v, 1, true, MEM_BASE + 0x100, 4, 0);
	run_ok(&v, "66 0f ba 3b 1f");			/* btc word, 31 -> bit 15 */
	check_access(&v, 1, true, MEM_BASE + 0x100, 2, 0x8000);
	assert_false(v.st.rflags & RFLAGS_CF);
	assert_int_equal(run(&v, "0f ba 1b 01"), EMU_UNSUPPORTED);	/* /3 undefined */
}

static void test_xchg_cmpxchg_xadd(void **state)
{
	struct env v;

	env_init(&v, 64);
	v.regs.r[GPR_RBX] = MEM_BASE;
	mem_set(&v, MEM_BASE, 8, 0x1111111111111111);
	v.regs.r[GPR_RDX] = 0xffffffff22222222;
	run_ok(&v, "87 13");				/* xchg [rbx], edx */
	assert_int_equal(v.regs.r[GPR_RDX], 0x11111111);
	assert_int_equal(mem_get(&v, MEM_BASE, 8), 0x1111111122222222);
	v.regs.r[GPR_RDX] = 0x3344;
	run_ok(&v, "86 33");				/* xchg [rbx], dh */
	assert_int_equal(v.regs.r[GPR_RDX], 0x2244);
	assert_int_equal(mem_get(&v, MEM_BASE, 1), 0x33);
	run_ok(&v, "f0 86 33");				/* lock is fine */

	/* cmpxchg: equal -> store source, ZF=1 */
	mem_set(&v, MEM_BASE, 8, 0x1234);
	v.regs.r[GPR_RAX] = 0x1234;
	v.regs.r[GPR_RCX] = 0x5678;
	run_ok(&v, "f0 48 0f b1 0b");
	assert_int_equal(mem_get(&v, MEM_BASE, 8), 0x5678);
	assert_true(v.st.rflags & RFLAGS_ZF);
	/* not equal -> accumulator loaded, no write, flags of CMP */
	v.regs.r[GPR_RAX] = 0xffffffff00001000;
	run_ok(&v, "0f b1 0b");
	assert_int_equal(v.regs.r[GPR_RAX], 0x5678);
	assert_int_equal(v.m.count, 1);
	uint64_t hf;
	host_op(OP_CMP, 4, 0x1000, 0x5678, 0, &hf);
	assert_int_equal(v.st.rflags & RFLAGS_ARITH, hf & RFLAGS_ARITH);
	v.regs.r[GPR_RAX] = 0x78;
	v.regs.r[GPR_RCX] = 0x9a;
	run_ok(&v, "0f b0 0b");				/* byte, equal */
	assert_int_equal(mem_get(&v, MEM_BASE, 2), 0x569a);

	/* xadd */
	mem_set(&v, MEM_BASE, 4, 0xfffffff0);
	v.regs.r[GPR_RCX] = 0x20;
	run_ok(&v, "f0 0f c1 0b");
	assert_int_equal(mem_get(&v, MEM_BASE, 4), 0x10);
	assert_int_equal(v.regs.r[GPR_RCX], 0xfffffff0);
	host_op(OP_ADD, 4, 0xfffffff0, 0x20, 0, &hf);
	assert_int_equal(v.st.rflags & RFLAGS_ARITH, hf & RFLAGS_ARITH);
}

/* ---- LOCK, unsupported, faults, rip -------------------------------------- */

static void test_lock_rules(void **state)
{
	static const char *const ok[] = {
		"f0 01 03", "f0 80 03 01", "f0 83 2b 01", "f0 f7 1b", "f0 f6 13",
		"f0 ff 03", "f0 fe 0b", "f0 0f ab 0b", "f0 0f ba 3b 01", "f0 87 0b",
	};
	static const char *const ud[] = {
		"f0 89 03", "f0 8b 03", "f0 39 03", "f0 80 3b 01", "f0 85 03",
		"f0 01 c3", "f0 0f a3 0b", "f0 0f ba 23 01", "f0 aa", "f0 c7 03 00 00 00 00",
		"f0 03 03", "f0 f6 03 00",
	};
	struct env v;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		env_init(&v, 64);
		v.regs.r[GPR_RBX] = MEM_BASE;
		run_ok(&v, ok[i]);
	}
	for (size_t i = 0; i < sizeof(ud) / sizeof(ud[0]); i++) {
		env_init(&v, 64);
		v.regs.r[GPR_RBX] = MEM_BASE;
		if (run(&v, ud[i]) != EMU_UNSUPPORTED)
			fail_msg("%s should be rejected", ud[i]);
		assert_int_equal(v.m.count, 0);
		assert_int_equal(v.st.rip, RIP0);
	}
}

static void test_unsupported(void **state)
{
	static const char *const t[] = {
		"f7 23",		/* mul */
		"ff 13",		/* call [rbx] */
		"a6",			/* cmpsb */
		"ae",			/* scasb */
		"0f 10 03",		/* movups */
		"c5 f8 10 03",		/* vmovups */
		"8d 03",		/* lea */
		"c6 f8 01",		/* xabort */
		"0f c7 0b",		/* cmpxchg8b */
		"90",
	};
	struct env v;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		env_init(&v, 64);
		v.regs.r[GPR_RBX] = MEM_BASE;
		struct gprs before = v.regs;
		if (run(&v, t[i]) != EMU_UNSUPPORTED)
			fail_msg("%s should be unsupported", t[i]);
		assert_memory_equal(&before, &v.regs, sizeof(before));
		assert_int_equal(v.m.count, 0);
		assert_int_equal(v.st.rip, RIP0);
		assert_int_equal(v.st.rflags, 2);
	}
	/* 82 is an alias of 80 outside 64-bit mode */
	env_init(&v, 32);
	v.regs.r[GPR_RBX] = MEM_BASE;
	run_ok(&v, "82 03 05");
	assert_int_equal(mem_get(&v, MEM_BASE, 1), 5);
	/* Mode mismatch between the decode and the state */
	assert_int_equal(insn_decode(&v.in, (const uint8_t *)"\x90", 1, 64), INSN_OK);
	assert_int_equal(insn_emulate(&v.st, &v.in, &v.ops), EMU_UNSUPPORTED);
}

static void test_faults(void **state)
{
	struct env v;

	/* Write fault in a RMW: registers, flags and rip untouched. */
	env_init(&v, 64);
	v.regs.r[GPR_RBX] = MEM_BASE;
	v.regs.r[GPR_RCX] = 5;
	v.m.fault_at = MEM_BASE + 2;
	assert_int_equal(run(&v, "01 0b"), EMU_FAULT);
	assert_int_equal(v.st.rip, RIP0);
	assert_int_equal(v.st.rflags, 2);
	/* Read fault in a load: destination untouched. */
	assert_int_equal(run(&v, "8b 0b"), EMU_FAULT);
	assert_int_equal(v.regs.r[GPR_RCX], 5);
	/* xchg / xadd / cmpxchg / movs: the write faults after the read */
	v.m.fault_at = 0;
	v.m.write_fault_at = MEM_BASE;
	v.regs.r[GPR_RAX] = 5;
	mem_set(&v, MEM_BASE, 4, 5);
	static const char *const rmw[] = { "87 0b", "0f c1 0b", "0f b1 0b", "f7 1b", "0f ab 0b" };
	for (size_t i = 0; i < sizeof(rmw) / sizeof(rmw[0]); i++) {
		assert_int_equal(run(&v, rmw[i]), EMU_FAULT);
		assert_int_equal(v.m.count, 1);			/* the read */
		assert_int_equal(v.regs.r[GPR_RCX], 5);
		assert_int_equal(v.regs.r[GPR_RAX], 5);
		assert_int_equal(v.st.rflags, 2);
		assert_int_equal(v.st.rip, RIP0);
	}
	/* EMU_ERROR from a callback is passed through. */
	v.m.write_fault_at = 0;
	v.regs.r[GPR_RBX] = MEM_BASE + MEM_SIZE - 2;
	assert_int_equal(run(&v, "8b 0b"), EMU_ERROR);
	assert_int_equal(v.regs.r[GPR_RCX], 5);
	assert_int_equal(v.st.rip, RIP0);
}

static void test_rip_wrap(void **state)
{
	struct env v;

	env_init(&v, 32);
	v.st.rip = 0xfffffffe;
	v.regs.r[GPR_RBX] = MEM_BASE;
	run_ok(&v, "89 03");
	assert_int_equal(v.st.rip, 0);
	env_init(&v, 64);
	v.st.rip = 0xfffffffe;
	v.regs.r[GPR_RBX] = MEM_BASE;
	run_ok(&v, "89 03");
	assert_int_equal(v.st.rip, 0x100000000ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alu_vs_host),
		cmocka_unit_test(test_unary_test_vs_host),
		cmocka_unit_test(test_mov_store),
		cmocka_unit_test(test_mov_load),
		cmocka_unit_test(test_moffs),
		cmocka_unit_test(test_ea_16),
		cmocka_unit_test(test_ea_32_64),
		cmocka_unit_test(test_stos_movs_lods),
		cmocka_unit_test(test_rep_limits),
		cmocka_unit_test(test_bit_ops),
		cmocka_unit_test(test_xchg_cmpxchg_xadd),
		cmocka_unit_test(test_lock_rules),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_rip_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
