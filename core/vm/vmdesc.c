/*
 * core/vm/vmdesc.c - parse one VM description line, the string of a Multiboot2
 * module (core/vm/vmdesc.h has the syntax), into struct mod_line. Pure: reads
 * only the line, writes only *out and err.
 */
#include "core/vm/vmdesc.h"
#include "lib/format.h"
#include "lib/string.h"
#include "lib/token.h"
#include "lib/number.h"

/* How much of an offending token an error message quotes. */
#define TOKEN_QUOTE_MAX 60

/* The error messages below spell these limits out. */
_Static_assert(VM_NAME_MAX == 15, "update the name= message");
_Static_assert(VM_VCPUS_MAX == 16, "update the vcpus= message");
_Static_assert(VM_MEM_MIN == 1ull << 20, "update the mem= messages");
_Static_assert(VM_MEM_MAX == 64ull << 30, "update the mem= messages");
_Static_assert(VM_ARGS_MAX == 2048, "update the -- message");
_Static_assert(VM_DISKS_MAX == 4, "update the disk= message");
_Static_assert(VM_DISK_SERIAL_MAX == 20, "update the serial= message");
_Static_assert(VM_DISK_SIZE_MAX == 16ull << 30, "update the size= message");


enum vm_option {
	OPT_NAME,
	OPT_ATTACH,
	OPT_MEM,
	OPT_VCPUS,
	OPT_CPUS,
	OPT_KIND,
	OPT_ON_RESET,
	OPT_TRACE,
	OPT_TESTDEV,
	OPT_NPT,
	OPT_GDB,
	OPT_UNMAPPED,
	OPT_HPET,
	OPT_RNG,
	OPT_HVC,
	OPT_KVM_PV,
	OPT_DISK,
	OPT_NET,
	OPT_IMAGE,
	OPT_COUNT,
};

static const char *const option_names[OPT_COUNT] = {
	[OPT_NAME] = "name",
	[OPT_ATTACH] = "attach",
	[OPT_MEM] = "mem",
	[OPT_VCPUS] = "vcpus",
	[OPT_CPUS] = "cpus",
	[OPT_KIND] = "kind",
	[OPT_ON_RESET] = "on_reset",
	[OPT_TRACE] = "trace",
	[OPT_TESTDEV] = "testdev",
	[OPT_NPT] = "npt",
	[OPT_GDB] = "gdb",
	[OPT_UNMAPPED] = "unmapped",
	[OPT_HPET] = "hpet",
	[OPT_RNG] = "rng",
	[OPT_HVC] = "hvc",
	[OPT_KVM_PV] = "kvm_pv",
	[OPT_DISK] = "disk",
	[OPT_NET] = "net",
	[OPT_IMAGE] = "image",
};


static char to_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}



static int quote_len(struct token t)
{
	return (int)(t.len < TOKEN_QUOTE_MAX ? t.len : TOKEN_QUOTE_MAX);
}

/* Writes "<token>: <why>" into err and returns -1. */
static int fail(char *err, size_t errlen, struct token t, const char *why)
{
	if (err && errlen)
		snprintf(err, errlen, "%.*s: %s", quote_len(t), t.s, why);
	return -1;
}

/*
 * Reads a number from the start of s[0..len): decimal, or hex after "0x".
 * Returns how many characters it used, or 0 if there are no digits or the
 * value does not fit in 64 bits.
 */
static size_t parse_number(const char *s, size_t len, uint64_t *out)
{
	if (len > 2 && s[0] == '0' && to_lower(s[1]) == 'x') {
		size_t used = parse_uint(s + 2, len - 2, 16, UINT64_MAX, out);
		return used ? 2 + used : 0;
	}
	return parse_uint(s, len, 10, UINT64_MAX, out);
}

static bool parse_whole_number(const char *s, size_t len, uint64_t *out)
{
	uint64_t value;
	size_t used = parse_number(s, len, &value);
	if (used == 0 || used != len)
		return false;
	*out = value;
	return true;
}

bool vmdesc_parse_size(const char *s, size_t len, uint64_t *out)
{
	uint64_t value;
	size_t used = parse_number(s, len, &value);
	if (used == 0)
		return false;
	s += used;
	len -= used;

	unsigned shift = 0;
	if (len > 0) {
		switch (to_lower(s[0])) {
		case 'k': shift = 10; break;
		case 'm': shift = 20; break;
		case 'g': shift = 30; break;
		case 't': shift = 40; break;
		default: return false;
		}
		s++;
		len--;
		/* An optional "B" or "iB" after the unit. */
		if (len == 2 && to_lower(s[0]) == 'i' && to_lower(s[1]) == 'b')
			len = 0;
		else if (len == 1 && to_lower(s[0]) == 'b')
			len = 0;
		if (len > 0)
			return false;
	}
	if (value > UINT64_MAX >> shift)
		return false;
	*out = value << shift;
	return true;
}

/* [a-z][a-z0-9_-]{0,14} */
static bool valid_name(const char *s, size_t len)
{
	if (len == 0 || len > VM_NAME_MAX || !(s[0] >= 'a' && s[0] <= 'z'))
		return false;
	for (size_t i = 1; i < len; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			  c == '_' || c == '-';
		if (!ok)
			return false;
	}
	return true;
}

/* Parses a CPU list such as "0,2-3"; returns why it is bad, or NULL. */
static const char *parse_cpu_list(const char *s, size_t len, uint64_t *mask)
{
	const char *garbage = "not a CPU list (use e.g. 0,2-3)";
	uint64_t bits = 0;
	size_t i = 0;
	for (;;) {
		uint64_t lo, hi;
		size_t used = parse_number(s + i, len - i, &lo);
		if (used == 0)
			return garbage;
		i += used;
		hi = lo;
		if (i < len && s[i] == '-') {
			i++;
			used = parse_number(s + i, len - i, &hi);
			if (used == 0)
				return garbage;
			i += used;
		}
		if (lo > hi)
			return "reversed CPU range (write low-high)";
		if (hi >= 64)
			return "CPU numbers go from 0 to 63";
		for (uint64_t cpu = lo; cpu <= hi; cpu++)
			bits |= 1ull << cpu;
		if (i == len)
			break;
		if (s[i] != ',')
			return garbage;
		i++;
	}
	*mask = bits;
	return NULL;
}

/* gdb=com1..com4 or gdb=0xPORT, optionally followed by ",nowait". */
static const char *parse_gdb(const char *s, size_t len, struct vm_desc *vm)
{
	const char *bad = "must be com1-com4 or a port 0x1-0xffff, optionally "
			  "followed by ,nowait";
	size_t port_len = 0;
	while (port_len < len && s[port_len] != ',')
		port_len++;
	if (port_len < len) {
		if (!token_is(s + port_len + 1, len - port_len - 1, "nowait"))
			return bad;
		vm->gdb_nowait = true;
	}
	uint16_t port;
	if (!parse_io_port(s, port_len, &port))
		return bad;
	vm->gdb_port = port;
	return NULL;
}

static void copy_value(char *dst, const char *s, size_t len)
{
	memcpy(dst, s, len);
	dst[len] = '\0';
}

static bool starts_with(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && memcmp(s, prefix, n) == 0;
}

/* One ",item" of disk=: ro, size=SIZE, serial=TEXT. */
static const char *parse_disk_item(const char *s, size_t len, struct disk_desc *d,
				   unsigned *seen)
{
	uint64_t n;
	if (token_is(s, len, "ro")) {
		if (*seen & 1)
			return "ro given twice";
		*seen |= 1;
		d->ro = true;
	} else if (starts_with(s, len, "size=")) {
		if (*seen & 2)
			return "size= given twice";
		*seen |= 2;
		if (!vmdesc_parse_size(s + 5, len - 5, &n))
			return "size=: not a size (use e.g. 64M)";
		if (n == 0 || n % 512)
			return "size=: not a whole number of 512-byte sectors";
		if (n > VM_DISK_SIZE_MAX)
			return "size=: above the maximum of 16G";
		d->size = n;
	} else if (starts_with(s, len, "serial=")) {
		if (*seen & 4)
			return "serial= given twice";
		*seen |= 4;
		if (len - 7 == 0 || len - 7 > VM_DISK_SERIAL_MAX)
			return "serial=: 1 to 20 characters";
		for (size_t i = 7; i < len; i++)
			if (s[i] <= ' ' || s[i] > '~')
				return "serial=: printable characters only";
		copy_value(d->serial, s + 7, len - 7);
	} else {
		return "after the source, only ,ro ,size=SIZE ,serial=TEXT";
	}
	return NULL;
}

/* The text after gpt:, partuuid: or serial: (1 to `max` characters). */
static const char *parse_host_source(const char *s, size_t len, struct disk_desc *d,
				     size_t max)
{
	if (len == 0 || len > max)
		return max == VM_DISK_HOST_MAX ? "gpt:/partuuid:: 1 to 36 characters"
					       : "serial:: 1 to 20 characters";
	for (size_t i = 0; i < len; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return "a host disk's name: printable characters only";
	if (d->source == DISK_PARTUUID) {
		if (len != 36)
			return "partuuid:: a GUID of 36 characters";
		for (size_t i = 0; i < len; i++) {
			bool dash = i == 8 || i == 13 || i == 18 || i == 23;
			char c = s[i];
			bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
				   (c >= 'A' && c <= 'F');
			if (dash ? c != '-' : !hex)
				return "partuuid:: a GUID like 01234567-89ab-cdef-0123-456789abcdef";
		}
	}
	copy_value(d->host, s, len);
	if (d->source == DISK_PARTUUID)
		for (char *p = d->host; *p; p++)
			if (*p >= 'A' && *p <= 'F')
				*p = (char)(*p - 'A' + 'a');
	return NULL;
}

/* The source before the first comma: module:NAME, gpt:NAME,
 * partuuid:GUID or serial:SERIAL. */
static const char *parse_disk_source(const char *s, size_t len, struct disk_desc *d)
{
	if (starts_with(s, len, "module:")) {
		d->source = DISK_MODULE;
		if (!valid_name(s + 7, len - 7))
			return "module:NAME: a name is a lowercase letter, then up to 14 of"
			       " a-z 0-9 _ -";
		copy_value(d->image, s + 7, len - 7);
		return NULL;
	}
	if (starts_with(s, len, "gpt:")) {
		d->source = DISK_GPT;
		return parse_host_source(s + 4, len - 4, d, VM_DISK_HOST_MAX);
	}
	if (starts_with(s, len, "partuuid:")) {
		d->source = DISK_PARTUUID;
		return parse_host_source(s + 9, len - 9, d, VM_DISK_HOST_MAX);
	}
	if (starts_with(s, len, "serial:")) {
		d->source = DISK_SERIAL;
		return parse_host_source(s + 7, len - 7, d, VM_DISK_SERIAL_MAX);
	}
	return "must be module:NAME, gpt:NAME, partuuid:GUID or serial:SERIAL, then "
	       "[,ro][,size=SIZE][,serial=TEXT]";
}

/* disk=SOURCE[,ro][,size=SIZE][,serial=TEXT]: one more disk. */
static const char *parse_disk(const char *s, size_t len, struct vm_desc *vm)
{
	if (vm->ndisks == VM_DISKS_MAX)
		return "at most 4 disks per VM";
	struct disk_desc *d = &vm->disks[vm->ndisks];
	*d = (struct disk_desc){ 0 };
	size_t end = 0;
	while (end < len && s[end] != ',')
		end++;
	const char *why = parse_disk_source(s, end, d);
	if (why)
		return why;
	unsigned seen = 0;
	while (end < len) {
		size_t start = end + 1;
		end = start;
		while (end < len && s[end] != ',')
			end++;
		why = parse_disk_item(s + start, end - start, d, &seen);
		if (why)
			return why;
	}
	if (d->source != DISK_MODULE && d->size)
		return "size=: only for module: disks (a host disk has its partition's size)";
	/* The default serial: the image's name, or the host source's text
	 * (its first 20 characters). */
	const char *dflt = d->source == DISK_MODULE ? d->image : d->host;
	if (!d->serial[0])
		copy_value(d->serial, dflt, strnlen(dflt, VM_DISK_SERIAL_MAX));
	vm->ndisks++;
	return NULL;
}

/* net=on|off|mac=XX:XX:XX:XX:XX:XX, then optionally ,offload=on|off
 * (docs/vm-config.md). A MAC must be unicast (bit 0 of its first byte
 * clear, IEEE 802-2014 8.2.2) and not all zeros (the "derive from the
 * name" mark). */
static const char *parse_net(const char *s, size_t len, struct vm_desc *vm)
{
	memset(vm->net_mac, 0, sizeof(vm->net_mac));
	vm->net_no_offload = false;
	static const char opt[] = ",offload=";
	for (size_t i = 0; i + sizeof(opt) - 1 <= len; i++) {
		if (!starts_with(s + i, len - i, opt))
			continue;
		const char *v = s + i + sizeof(opt) - 1;
		size_t vlen = len - i - (sizeof(opt) - 1);
		if (!token_is(v, vlen, "on") && !token_is(v, vlen, "off"))
			return "offload= must be on or off";
		vm->net_no_offload = v[1] == 'f';
		len = i;
		break;
	}
	if (token_is(s, len, "on") || token_is(s, len, "off")) {
		vm->net = s[1] == 'n';
		return NULL;
	}
	if (len != 4 + 17 || !starts_with(s, len, "mac="))
		return "must be on, off or mac=XX:XX:XX:XX:XX:XX";
	unsigned nonzero = 0;
	for (unsigned i = 0; i < 6; i++) {
		const char *b = s + 4 + 3 * i;
		int hi = hex_digit(b[0]), lo = hex_digit(b[1]);
		if (hi < 0 || lo < 0 || (i < 5 && b[2] != ':'))
			return "mac=: six hex bytes separated by ':'";
		vm->net_mac[i] = (uint8_t)(hi << 4 | lo);
		nonzero |= vm->net_mac[i];
	}
	if (vm->net_mac[0] & 1)
		return "mac=: a multicast address (bit 0 of the first byte set)";
	if (!nonzero)
		return "mac=: all zeros";
	vm->net = true;
	return NULL;
}

/* on|off into *on; an error text otherwise (*on unchanged). */
static const char *on_off(const char *v, size_t len, bool *on)
{
	return token_switch(v, len, "on", "off", on) ? NULL : "must be on or off";
}

/* Applies one option's value; returns why it is bad, or NULL. */
static const char *apply_option(enum vm_option opt, const char *v, size_t len,
				struct mod_line *out)
{
	struct vm_desc *vm = &out->vm;
	uint64_t n;
	switch (opt) {
	case OPT_NAME:
	case OPT_ATTACH:
	case OPT_IMAGE:
		if (!valid_name(v, len))
			return "a name is a lowercase letter, then up to 14 of"
			       " a-z 0-9 _ -";
		copy_value(opt == OPT_NAME ? vm->name : opt == OPT_ATTACH ? out->attach_to
			   : out->image, v, len);
		return NULL;
	case OPT_DISK:
		return parse_disk(v, len, vm);
	case OPT_NET:
		return parse_net(v, len, vm);
	case OPT_MEM:
		if (!vmdesc_parse_size(v, len, &n))
			return "not a size (use e.g. 64M)";
		if (n < VM_MEM_MIN)
			return "below the minimum of 1M";
		if (n > VM_MEM_MAX)
			return "above the maximum of 64G";
		if (n % 4096)
			return "not a multiple of 4K";
		vm->mem = n;
		return NULL;
	case OPT_VCPUS:
		if (!parse_whole_number(v, len, &n))
			return "not a number";
		if (n < 1 || n > VM_VCPUS_MAX)
			return "must be 1 to 16";
		vm->vcpus = (unsigned)n;
		return NULL;
	case OPT_CPUS:
		return parse_cpu_list(v, len, &vm->cpu_mask);
	case OPT_KIND:
		if (token_is(v, len, "auto"))
			vm->kind = VM_KIND_AUTO;
		else if (token_is(v, len, "multiboot"))
			vm->kind = VM_KIND_MULTIBOOT;
		else if (token_is(v, len, "linux"))
			vm->kind = VM_KIND_LINUX;
		else
			return "must be auto, multiboot or linux";
		return NULL;
	case OPT_ON_RESET:
		if (token_is(v, len, "stop"))
			vm->on_reset = VM_ON_RESET_STOP;
		else if (token_is(v, len, "reboot"))
			vm->on_reset = VM_ON_RESET_REBOOT;
		else
			return "must be stop or reboot";
		return NULL;
	case OPT_TRACE:
		if (token_is(v, len, "0"))
			vm->trace = false;
		else if (token_is(v, len, "1"))
			vm->trace = true;
		else
			return "must be 0 or 1";
		return NULL;
	case OPT_TESTDEV:
		if (token_is(v, len, "0"))
			vm->testdev = false;
		else if (token_is(v, len, "1"))
			vm->testdev = true;
		else
			return "must be 0 or 1";
		return NULL;
	case OPT_NPT:
		if (token_is(v, len, "2m") || token_is(v, len, "2M"))
			vm->npt_4k = false;
		else if (token_is(v, len, "4k") || token_is(v, len, "4K"))
			vm->npt_4k = true;
		else
			return "must be 2m or 4k";
		return NULL;
	case OPT_GDB:
		return parse_gdb(v, len, vm);
	case OPT_UNMAPPED:
		if (token_is(v, len, "ones"))
			vm->unmapped_stop = false;
		else if (token_is(v, len, "stop"))
			vm->unmapped_stop = true;
		else
			return "must be ones or stop";
		return NULL;
	case OPT_HPET:
		return on_off(v, len, &vm->hpet);
	case OPT_RNG:
		return on_off(v, len, &vm->rng);
	case OPT_HVC:
		return on_off(v, len, &vm->hvc);
	case OPT_KVM_PV: {
		bool on;
		const char *err = on_off(v, len, &on);
		if (!err)
			vm->kvm_pv = on ? VM_KVM_PV_ON : VM_KVM_PV_OFF;
		return err;
	}
	default:
		return "unknown option";
	}
}

static void set_defaults(struct mod_line *out)
{
	memset(out, 0, sizeof(*out));
	out->role = MOD_VM;
	out->vm.kind = VM_KIND_AUTO;
	out->vm.mem = VM_MEM_DEFAULT;
	out->vm.vcpus = 1;
	out->vm.cpu_mask = ~0ull;
	out->vm.on_reset = VM_ON_RESET_STOP;
	out->vm.trace = false;
	out->vm.hpet = HPET_DEFAULT;
}

/* Copies what follows "--" (after its blanks) into out->args. */
static int take_args(const char *rest, struct token dashes,
		     struct mod_line *out, char *err, size_t errlen)
{
	while (is_blank(*rest))
		rest++;
	size_t len = strnlen(rest, VM_ARGS_MAX);
	if (len > VM_ARGS_MAX - 1)
		return fail(err, errlen, dashes,
			    "guest arguments longer than 2047 characters");
	copy_value(out->args, rest, len);
	return 0;
}

/* Checks the options against each other once the whole line is read. */
static int check_combination(const struct token *seen, char *err,
			     size_t errlen)
{
	const struct token *name = &seen[OPT_NAME], *attach = &seen[OPT_ATTACH];
	const struct token *image = &seen[OPT_IMAGE];
	if (name->s && attach->s)
		return fail(err, errlen, *attach,
			    "a line has name= or attach=, not both");
	if (image->s) {
		for (int opt = 0; opt < OPT_COUNT; opt++)
			if (opt != OPT_IMAGE && seen[opt].s)
				return fail(err, errlen, seen[opt],
					    "not allowed on an image= line "
					    "(only image=)");
		return 0;
	}
	if (!name->s && !attach->s) {
		if (err && errlen)
			snprintf(err, errlen, "no name=, attach= or image= (a "
				 "module line needs one of them)");
		return -1;
	}
	if (attach->s) {
		for (int opt = 0; opt < OPT_COUNT; opt++)
			if (opt != OPT_ATTACH && seen[opt].s)
				return fail(err, errlen, seen[opt],
					    "not allowed on an attach= line "
					    "(only attach= and -- arguments)");
	}
	return 0;
}

int vmdesc_parse(const char *line, struct mod_line *out, char *err,
		 size_t errlen)
{
	struct token seen[OPT_COUNT] = { { NULL, 0 } };
	struct token t;
	const char *p = line ? line : "";
	bool first = true;

	set_defaults(out);
	if (err && errlen)
		err[0] = '\0';

	while (next_token(&p, &t)) {
		bool is_first = first;
		first = false;
		if (token_is(t.s, t.len, "--")) {
			if (take_args(p, t, out, err, errlen) < 0)
				return -1;
			break;
		}
		size_t key_len = 0;
		while (key_len < t.len && t.s[key_len] != '=')
			key_len++;
		if (key_len == t.len) {
			if (is_first)
				continue; /* the module's path */
			return fail(err, errlen, t, "expected option=value");
		}
		int opt = 0;
		while (opt < OPT_COUNT &&
		       !token_is(t.s, key_len, option_names[opt]))
			opt++;
		if (opt == OPT_COUNT)
			return fail(err, errlen, t, "unknown option");
		const char *value = t.s + key_len + 1;
		size_t value_len = t.len - key_len - 1;
		if (value_len == 0)
			return fail(err, errlen, t, "empty value");
		if (seen[opt].s && opt != OPT_DISK)
			return fail(err, errlen, t, "option given twice");
		seen[opt] = t;
		const char *why = apply_option((enum vm_option)opt, value,
					       value_len, out);
		if (why)
			return fail(err, errlen, t, why);
	}

	if (check_combination(seen, err, errlen) < 0)
		return -1;
	out->role = seen[OPT_IMAGE].s ? MOD_IMAGE : seen[OPT_ATTACH].s ? MOD_ATTACH : MOD_VM;
	return 0;
}
