test_decode_SRCS := arch/x86/insn/decode.c
test_decode_LIBS := -lcapstone
