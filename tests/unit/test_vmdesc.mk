test_vmdesc_SRCS := core/vm/vmdesc.c lib/string.c lib/token.c lib/number.c
