test_lapic_SRCS := devices/vlapic.c tests/unit/fake_platform.c lib/string.c
