test_mptable_SRCS := guest/mptable.c guest/acpi.c lib/string.c
