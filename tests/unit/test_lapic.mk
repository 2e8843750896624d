test_lapic_SRCS := devices/lapic.c tests/unit/fake_platform.c lib/string.c
