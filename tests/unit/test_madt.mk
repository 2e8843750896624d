test_madt_SRCS := arch/x86/acpi.c lib/string.c lib/format.c
