# tests/fuzz/fuzz.mk: libFuzzer targets of the reliability suite (issue 5) — the config reader,
# the control protocol and inbound PDU decoding. Built with clang straight from the sources, like
# fuzz-parser (parsers/module.mk). `make fuzz FUZZ_SECONDS=60` runs every target; each keeps what
# it found in $(BUILD)/fuzz/NAME-corpus; seeds are tests/fuzz/NAME-seeds, dictionaries NAME.dict.
# Findings (crash-*, leak-*, timeout-*) are minimised and added to the seed directory as cases.
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer -std=gnu11 -D_GNU_SOURCE -I.
FUZZ_TARGETS += fuzz-conf fuzz-ctl fuzz-pdu

# common/ is libc only, so each target takes all of it (a new helper there never breaks them)
FUZZ_COMMON    := $(wildcard common/*.c)
FUZZ_CONF_SRCS := tests/fuzz/fuzz_conf.c $(FUZZ_COMMON)
FUZZ_CTL_SRCS  := tests/fuzz/fuzz_ctl.c $(FUZZ_COMMON)
FUZZ_PDU_SRCS  := tests/fuzz/fuzz_pdu.c gateway/modem_worker.c $(FUZZ_COMMON) $(wildcard parsers/*.c) gateway/worker_confine.c

$(BUILD)/fuzz/fuzz_conf: $(FUZZ_CONF_SRCS) $(wildcard common/*.h)
	@mkdir -p $(dir $@)
	$(call say,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(FUZZ_CONF_SRCS)
$(BUILD)/fuzz/fuzz_ctl: $(FUZZ_CTL_SRCS) $(wildcard common/*.h)
	@mkdir -p $(dir $@)
	$(call say,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(FUZZ_CTL_SRCS)
$(BUILD)/fuzz/fuzz_pdu: $(FUZZ_PDU_SRCS) $(wildcard gateway/*.h common/*.h parsers/*.h)
	@mkdir -p $(dir $@)
	$(call say,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_FLAGS) $(shell pkg-config --cflags gammu 2>/dev/null) \
	    $(shell pkg-config --cflags libpcre2-8 2>/dev/null) -o $@ $(FUZZ_PDU_SRCS) $(LIB_GAMMU) $(LIB_PCRE)

# the sample configuration is a seed as it stands now (a copy kept among the seeds went stale)
FUZZ_SEEDS_conf := $(BUILD)/fuzz/conf-sample
fuzz-conf: $(BUILD)/fuzz/conf-sample/sample.conf
$(BUILD)/fuzz/conf-sample/sample.conf: kentongan.conf.sample
	@mkdir -p $(dir $@)
	cp $< $@

fuzz-conf fuzz-ctl fuzz-pdu: fuzz-%: $(BUILD)/fuzz/fuzz_%
	@mkdir -p $(BUILD)/fuzz/$*-corpus
	$(BUILD)/fuzz/fuzz_$* -max_total_time=$(FUZZ_SECONDS) -dict=tests/fuzz/$*.dict -timeout=10 \
	    -artifact_prefix=$(BUILD)/fuzz/$*- $(BUILD)/fuzz/$*-corpus tests/fuzz/$*-seeds $(FUZZ_SEEDS_$*)
.PHONY: fuzz-conf fuzz-ctl fuzz-pdu
