test_hpet_SRCS := devices/hpet.c tests/unit/fake_platform.c lib/string.c
