test_i8042_SRCS := devices/i8042.c devices/sysctl.c tests/unit/fake_platform.c lib/string.c
