test_rtc_SRCS := devices/rtc.c lib/civil_time.c tests/unit/fake_platform.c lib/string.c
