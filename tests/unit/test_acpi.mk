test_acpi_SRCS := guest/acpi.c devices/acpi_pm.c lib/string.c
