test_pic_SRCS := devices/pic.c tests/unit/fake_platform.c lib/string.c
