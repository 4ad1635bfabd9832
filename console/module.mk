# console/: kentongan. Talks to the control socket; the offline commands (areas import,
# subscribers import, check) open the store directly so they work while the daemon is stopped.
CONSOLE_SRCS := $(wildcard console/*.c)
PROGRAMS     += $(BUILD)/kentongan
$(BUILD)/kentongan: $(CONSOLE_SRCS:%.c=$(BUILD)/obj/%.o) $(STORE_LIB) $(PARSERS_LIB) $(COMMON_LIB)
	$(call say,LINK,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LIB_SQLITE) $(LIB_PCRE) -lcrypt -lm
