test_multiboot2_SRCS := boot/multiboot2.c lib/errmsg.c lib/string.c
