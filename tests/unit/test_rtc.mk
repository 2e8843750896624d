test_rtc_SRCS := devices/rtc.c core/civil_time.c tests/unit/fake_platform.c lib/string.c
