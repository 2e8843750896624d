test_civil_time_SRCS := lib/civil_time.c arch/x86/cmos.c
