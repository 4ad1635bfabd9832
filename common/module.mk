# common/: libc only — log, xmalloc, ini (the INI line reader), conf (+ usage), msisdn, proto (framing
# and pbuf), str, hex, utf8, csv, table, fs, timefmt, sha256, crash, devuse, areacode, env.
COMMON_SRCS := $(wildcard common/*.c)
COMMON_LIB  := $(BUILD)/libcommon.a
$(COMMON_LIB): $(COMMON_SRCS:%.c=$(BUILD)/obj/%.o)
	$(archive)
