test_uplink_SRCS := tests/unit/fake_platform.c net/uplink.c net/switch.c net/mac_table.c net/offload.c net/csum.c net/segment.c \
	net/port_format.c lib/string.c
test_uplink_LIBS := -Wl,--wrap=vtimer_arm
