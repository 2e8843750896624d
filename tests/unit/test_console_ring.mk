test_console_ring_SRCS := core/console_ring.c lib/string.c
