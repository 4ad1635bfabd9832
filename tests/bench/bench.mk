# tests/bench/bench.mk: the dispatch and segment benchmarks (issue 7; figures printed by `make bench`,
# never asserted). bench_segments counts the parts of tests/bench/announcements.txt with and without
# transliteration; gammu_send_loop is the bare libGammu send loop tests/bench/bench_dispatch.py
# measures t1 with (built with `make bench`, not a bench program itself).
BENCH_PROGS += $(BUILD)/bench/bench_segments
$(BUILD)/bench/bench_segments: $(BUILD)/obj/tests/bench/bench_segments.o $(PARSERS_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LIB_GAMMU)

$(BUILD)/bench/gammu_send_loop: $(BUILD)/obj/tests/bench/gammu_send_loop.o
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LIB_GAMMU)
bench: $(BUILD)/bench/gammu_send_loop
