# tests/bench/storage.mk: the year-in-minutes storage benchmark (issue 17; printed by `make bench`).
BENCH_PROGS += $(BUILD)/bench/bench_year
$(BUILD)/bench/bench_year: $(BUILD)/obj/tests/bench/bench_year.o $(STORE_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LIB_SQLITE) -lm
