test_ioapic_SRCS := devices/ioapic.c tests/unit/fake_platform.c lib/string.c
