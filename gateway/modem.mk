# gateway/modem.mk: the modem module's extra targets. Included from gateway/module.mk.
# Benchmark (make bench): ingest/send/idle on Gammu dummy phones and modemsim; figures printed.
BENCH_PROGS += $(BUILD)/bench/bench_modem
$(BUILD)/bench/bench_modem: $(BUILD)/obj/tests/bench/bench_modem.o $(GATEWAY_LIB) $(STORE_LIB) $(PARSERS_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LIB_EVENT) $(LIB_SQLITE) $(LIB_PCRE) $(LIB_GAMMU) -lm
