test_pci_host_SRCS := devices/pci_host.c lib/string.c tests/unit/fake_platform.c
