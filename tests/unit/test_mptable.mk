test_mptable_SRCS := guest/mptable.c guest/acpi.c $(BUILD)/gen/dsdt_aml.c lib/string.c
