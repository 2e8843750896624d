test_civil_time_SRCS := core/civil_time.c arch/x86/cmos.c
