test_decode_SRCS := tests/unit/hex_bytes.c arch/x86/insn/decode.c
test_decode_LIBS := -lcapstone
