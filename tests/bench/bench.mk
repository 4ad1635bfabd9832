# tests/bench/bench.mk: every compiled benchmark; `make bench` runs them, then the scripts
# tests/bench/bench_*.sh and bench_*.py (tools/bench.sh). Figures are printed, never asserted:
# machines are noisy; compare ratios measured in one run. `make bench-progs` only builds them.
#   bench_modem     ingest/send/idle on Gammu dummy phones and modemsim
#   bench_parser    parser throughput and worst-case pattern time
#   bench_segments  the parts of tests/bench/announcements.txt with and without transliteration
#   bench_year      the year-in-minutes storage benchmark (issue 17)
# gammu_send_loop is the bare libGammu send loop tests/bench/bench_dispatch.py measures t1 with
# (built with the benchmarks, not a benchmark itself).
BENCH_PROGS += $(addprefix $(BUILD)/bench/,bench_modem bench_parser bench_segments bench_year)

# linked like the unit tests (tests/module.mk): every internal library, the linker takes what it needs
$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(ALL_LIBS)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)$(CC) $(LDFLAGS) -o $@ $< $(ALL_LIBS) $(EXT_LIBS)

bench-progs: $(BENCH_PROGS) $(BUILD)/bench/gammu_send_loop
bench: programs bench-progs
	$(Q)BUILD=$(BUILD) tools/bench.sh $(BENCH_PROGS)
.PHONY: bench-progs
