# tests/fuzz/fuzz_sec.mk: libFuzzer targets of the security review — the bulk imports' CSV reader
# (common/csv.c) and the console's text/CSV table writer (common/table.c). `make fuzz-csv` /
# `make fuzz-table` (FUZZ_SECONDS); seeds in tests/fuzz/NAME-seeds, dictionaries NAME.dict.
FUZZ_TARGETS += fuzz-csv fuzz-table
FUZZ_CSV_SRCS   := tests/fuzz/fuzz_csv.c $(FUZZ_COMMON)
FUZZ_TABLE_SRCS := tests/fuzz/fuzz_table.c $(FUZZ_COMMON)

$(BUILD)/fuzz/fuzz_csv: $(FUZZ_CSV_SRCS) $(wildcard common/*.h)
	@mkdir -p $(dir $@)
	$(call say,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(FUZZ_CSV_SRCS)
$(BUILD)/fuzz/fuzz_table: $(FUZZ_TABLE_SRCS) $(wildcard common/*.h)
	@mkdir -p $(dir $@)
	$(call say,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(FUZZ_TABLE_SRCS)

fuzz-csv fuzz-table: fuzz-%: $(BUILD)/fuzz/fuzz_%
	@mkdir -p $(BUILD)/fuzz/$*-corpus
	$(BUILD)/fuzz/fuzz_$* -max_total_time=$(FUZZ_SECONDS) -dict=tests/fuzz/$*.dict -timeout=10 \
	    -artifact_prefix=$(BUILD)/fuzz/$*- $(BUILD)/fuzz/$*-corpus tests/fuzz/$*-seeds
.PHONY: fuzz-csv fuzz-table
