/*
 * core/run/unmapped.c - reads of nothing give all ones, writes to nothing are
 * dropped (core/run/unmapped.h). Each page is logged once: a small table of
 * the pages seen, filled with compare-and-swap, since the VM's vCPUs may
 * touch holes on several CPUs at once.
 */
#include "core/run/unmapped.h"
#include "core/vm/vm.h"
#include "lib/log.h"
#include "lib/string.h"

#define LOGGED_PAGES (sizeof(((struct vm *)0)->unmapped_logged) / sizeof(uint64_t))

/* True the first time this page is seen (or, when the table is full, the
 * first time any new page is). */
static bool first_touch(struct vm *vm, uint64_t page, bool *table_full)
{
	uint64_t want = page + 1;	/* 0 marks a free slot */
	*table_full = false;
	for (unsigned i = 0; i < (unsigned)LOGGED_PAGES; i++) {
		uint64_t seen = __atomic_load_n(&vm->unmapped_logged[i], __ATOMIC_ACQUIRE);
		if (seen == want)
			return false;
		if (seen == 0) {
			uint64_t expect = 0;
			if (__atomic_compare_exchange_n(&vm->unmapped_logged[i], &expect, want,
							false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
				return true;
			if (expect == want)
				return false;	/* another vCPU logs it */
		}
	}
	*table_full = true;
	return !__atomic_exchange_n(&vm->unmapped_log_full, 1, __ATOMIC_ACQ_REL);
}

void unmapped_access(struct vm *vm, uint64_t gpa, unsigned size, uint8_t *buf,
		     bool write)
{
	bool full;
	if (!write)
		memset(buf, 0xff, size);
	if (!first_touch(vm, gpa >> 12, &full))
		return;
	if (full)
		log_debug("vm %s: more than %u pages where nothing is touched: no more "
			  "are logged", vm->name, (unsigned)LOGGED_PAGES);
	else
		log_debug("vm %s: %s of guest-physical 0x%lx, where nothing is: %s "
			  "(logged once per page)", vm->name, write ? "write" : "read",
			  gpa, write ? "dropped" : "all ones");
}
