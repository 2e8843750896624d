test_layout_SRCS := guest/layout.c
