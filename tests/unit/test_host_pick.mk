test_host_pick_SRCS := devices/block/host_pick.c drivers/block/blockdev.c \
	drivers/block/catalogue.c drivers/block/gpt.c lib/crc32.c lib/string.c
