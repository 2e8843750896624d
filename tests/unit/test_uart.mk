test_uart_SRCS := devices/uart16550.c tests/unit/fake_platform.c lib/string.c
