# common/: libc only — log, xmalloc, conf, msisdn, proto, pbuf.
COMMON_SRCS := $(wildcard common/*.c)
COMMON_LIB  := $(BUILD)/libcommon.a
$(COMMON_LIB): $(COMMON_SRCS:%.c=$(BUILD)/obj/%.o)
	$(call say,AR,$@)$(AR) rcs $@ $^
