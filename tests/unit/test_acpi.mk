test_acpi_SRCS := guest/acpi.c $(BUILD)/gen/dsdt_aml.c devices/acpi_pm.c lib/string.c
