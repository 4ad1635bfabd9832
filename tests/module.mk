# tests/: every tests/unit/test_*.c becomes build/tests/unit/test_* (cmocka), linked with all
# internal libraries; tests/run.sh runs them, then tests/integration/test_* scripts.
UNIT_SRCS   := $(wildcard tests/unit/test_*.c)
UNIT_TESTS  += $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
ALL_LIBS     = $(GATEWAY_LIB) $(STORE_LIB) $(PARSERS_LIB) $(COMMON_LIB)
EXT_LIBS     = $(LIB_EVENT) $(LIB_SQLITE) $(LIB_PCRE) $(LIB_GAMMU) $(LIB_TLS) -lcrypt -lm

$(BUILD)/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)$(CC) $(LDFLAGS) -o $@ $< $(ALL_LIBS) $(EXT_LIBS) $(LIB_CMOCKA)
