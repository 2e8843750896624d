test_vmdesc_SRCS := core/vmdesc.c lib/string.c lib/token.c
