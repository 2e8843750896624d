test_gdb_rsp_SRCS := core/gdb/gdb_rsp.c lib/number.c
