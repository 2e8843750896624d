test_net_switch_SRCS := net/switch.c net/mac_table.c net/port_format.c
