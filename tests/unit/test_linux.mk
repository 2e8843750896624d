test_linux_SRCS := guest/linux.c guest/ram_range.c lib/errmsg.c lib/string.c tests/unit/fake_guest.c
