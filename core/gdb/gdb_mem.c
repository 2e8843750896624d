/* core/gdb/gdb_mem.c - guest memory for gdb (see gdb_mem.h). */
#include "core/gdb/gdb_mem.h"
#include "core/run/vcpu.h"
#include "core/vm/vm.h"
#include "arch/x86/insn/fetch.h"

bool gdb_mem_translate(struct vcpu *v, uint64_t va, uint64_t *gpa)
{
	uint32_t pf_err;
	/* A plain supervisor read: present is all the walk asks. */
	return guest_translate(v, va, 0, gpa, &pf_err) == WALK_OK &&
	       vm_gpa_to_hva(v->vm, *gpa, 1) != NULL;
}

/* Page by page, every page checked before the first byte moves. */
static bool access(struct vcpu *v, uint64_t va, uint8_t *buf, size_t len, bool write)
{
	for (int pass = 0; pass < 2; pass++) {
		uint64_t a = va;
		size_t done = 0;
		while (done < len) {
			size_t n = 4096 - (a & 0xfff);
			if (n > len - done)
				n = len - done;
			uint64_t gpa;
			if (!gdb_mem_translate(v, a, &gpa) || !vm_gpa_to_hva(v->vm, gpa, n))
				return false;
			if (pass == 1 && !(write ? vm_write_gpa(v->vm, gpa, buf + done, n)
						 : vm_read_gpa(v->vm, gpa, buf + done, n)))
				return false;
			a += n;
			done += n;
		}
	}
	return true;
}

bool gdb_mem_read(struct vcpu *v, uint64_t va, void *buf, size_t len)
{
	return access(v, va, buf, len, false);
}

bool gdb_mem_write(struct vcpu *v, uint64_t va, const void *buf, size_t len)
{
	return access(v, va, (uint8_t *)buf, len, true);
}
