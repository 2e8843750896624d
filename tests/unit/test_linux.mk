test_linux_SRCS := guest/linux.c lib/string.c tests/unit/fake_guest.c
