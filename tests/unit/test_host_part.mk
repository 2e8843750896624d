test_host_part_SRCS := devices/block/host_part.c lib/string.c
