test_number_SRCS := lib/number.c
