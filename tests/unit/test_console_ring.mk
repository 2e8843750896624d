test_console_ring_SRCS := core/console/console_ring.c lib/string.c
