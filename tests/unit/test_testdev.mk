test_testdev_SRCS := devices/testdev.c
