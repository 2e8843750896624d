test_msix_SRCS := devices/msix.c devices/msi.c
