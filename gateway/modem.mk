# gateway/modem.mk: the modem module's extra targets (benchmarks). Included from gateway/module.mk.
MODEM_BENCH_SRCS := $(wildcard tests/bench/bench_modem*.c)
MODEM_BENCHES    := $(MODEM_BENCH_SRCS:tests/bench/%.c=$(BUILD)/tests/bench/%)
TEST_BINS        += $(MODEM_BENCHES)

$(BUILD)/tests/bench/bench_modem%: $(BUILD)/obj/tests/bench/bench_modem%.o $(GATEWAY_LIB) $(STORE_LIB) $(PARSERS_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LIB_EVENT) $(LIB_SQLITE) $(LIB_PCRE) $(LIB_GAMMU) -lm

bench-modem: $(MODEM_BENCHES)
	$(Q)tests/bench/bench_modem.sh
bench: bench-modem
.PHONY: bench-modem
