test_pit_SRCS := devices/pit.c tests/unit/fake_platform.c lib/string.c
