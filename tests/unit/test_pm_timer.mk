test_pm_timer_SRCS := devices/pm_timer.c tests/unit/fake_platform.c lib/string.c
