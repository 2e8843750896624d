test_net_offload_SRCS := net/switch.c net/mac_table.c net/offload.c net/csum.c net/segment.c net/port_format.c
