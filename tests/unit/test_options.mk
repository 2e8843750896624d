test_options_SRCS := core/options.c lib/string.c lib/token.c lib/number.c
