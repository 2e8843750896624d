test_testdev_SRCS := devices/testdev.c devices/msix.c
