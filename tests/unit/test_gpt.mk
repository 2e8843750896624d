test_gpt_SRCS := drivers/block/gpt.c drivers/block/catalogue.c lib/crc32.c lib/string.c
