test_linux_SRCS := guest/linux.c lib/string.c
