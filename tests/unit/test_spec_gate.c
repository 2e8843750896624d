/* tests/unit/test_spec_gate.c - when yakvm issues IBPB and where its
 * canary comes from (arch/x86/spec_gate.c): the paths no emulator here
 * reaches (IBPB, RDSEED) are decided here. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "arch/x86/spec_gate.h"

static void test_ibpb_offered(void **unused)
{
	assert_true(ibpb_offered(0x80000008, 1u << 12));
	assert_true(ibpb_offered(0x80000021, 0xffffffff));
	assert_false(ibpb_offered(0x80000008, ~(1u << 12)));
	assert_false(ibpb_offered(0x80000007, 1u << 12));	/* no such leaf */
	assert_false(ibpb_offered(0x80000008, 0));
}

static void test_ibpb_needed(void **unused)
{
	int a = 0, b = 0;
	assert_true(ibpb_needed(&a, &b, true));		/* another VM */
	assert_false(ibpb_needed(&a, &a, true));	/* the same VM */
	assert_false(ibpb_needed(NULL, &a, true));	/* the first on this CPU */
	assert_false(ibpb_needed(&a, &b, false));	/* not offered */
}

static void test_canary_source(void **unused)
{
	assert_int_equal(canary_source(1u << 30, 7, 1u << 18), CANARY_RDSEED);
	assert_int_equal(canary_source(0, 0xd, 1u << 18), CANARY_RDSEED);
	assert_int_equal(canary_source(1u << 30, 6, 1u << 18), CANARY_RDRAND);	/* no leaf 7 */
	assert_int_equal(canary_source(1u << 30, 7, 0), CANARY_RDRAND);
	assert_int_equal(canary_source(~(1u << 30), 7, ~(1u << 18)), CANARY_TSC);
	assert_string_equal(canary_source_name(CANARY_TSC), "the TSC");
}

static void test_canary_mix(void **unused)
{
	/* Low byte 0; neighbouring TSC values give far-apart canaries. */
	uint64_t prev = canary_mix(1000);
	assert_int_equal(prev & 0xff, 0);
	for (uint64_t t = 1001; t < 1100; t++) {
		uint64_t c = canary_mix(t);
		assert_int_equal(c & 0xff, 0);
		assert_true(__builtin_popcountll(c ^ prev) >= 12);
		prev = c;
	}
	assert_true(canary_mix(0) != 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ibpb_offered),
		cmocka_unit_test(test_ibpb_needed),
		cmocka_unit_test(test_canary_source),
		cmocka_unit_test(test_canary_mix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
