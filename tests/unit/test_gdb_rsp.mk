test_gdb_rsp_SRCS := core/gdb_rsp.c
