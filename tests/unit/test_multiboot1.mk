test_multiboot1_SRCS := guest/multiboot1.c guest/ram_range.c lib/errmsg.c lib/string.c tests/unit/fake_guest.c
