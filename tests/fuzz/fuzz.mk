# tests/fuzz/fuzz.mk: every libFuzzer target — the SMS parser, the config reader, the control
# protocol, inbound PDU decoding, the USSD callback, the CSV reader, the table writer and the web
# form parser. Built with clang straight from the sources (not the gcc-built libraries).
# `make fuzz FUZZ_SECONDS=60` runs every target, `make fuzz-NAME` one; each keeps what it found in
# $(BUILD)/fuzz/NAME-corpus and its findings as $(BUILD)/fuzz/NAME-crash-* (leak-, timeout-);
# seeds are tests/fuzz/NAME-seeds (the parser's: tests/corpus), dictionaries tests/fuzz/NAME.dict.
# Findings are minimised and added to the seed directory as cases.
FUZZ_SECONDS  ?= 10
FUZZ_CC       ?= clang
FUZZ_SANITIZERS := fuzzer,address,undefined
FUZZ_SANITIZE  = $(call sanitize,$(FUZZ_SANITIZERS))
FUZZ_FLAGS    := -g -O1 $(FUZZ_SANITIZE) -std=gnu11 -D_GNU_SOURCE -I.
# where a run keeps its corpus and findings, and extra libFuzzer options (the smoke tests set both)
FUZZ_DIR      ?= $(BUILD)/fuzz
FUZZ_OPTS     ?=
# every target is rebuilt when any header changes (one clang command per target, so no .d files)
FUZZ_HEADERS  := $(wildcard common/*.h parsers/*.h store/*.h gateway/*.h gateway/*/*.h)
# common/ is libc only, so each target takes all of it (a new helper there never breaks them)
FUZZ_COMMON   := $(wildcard common/*.c)

# Per target NAME: FUZZ_SRCS_NAME (tests/fuzz/fuzz_NAME.c and what it exercises), and when needed
# FUZZ_CFLAGS_NAME, FUZZ_LIBS_NAME, FUZZ_SEEDS_NAME (default tests/fuzz/NAME-seeds),
# FUZZ_RUN_NAME (extra libFuzzer options) and FUZZ_AFTER_NAME (order-only prerequisites).
FUZZ_SRCS_parser   := tests/fuzz/fuzz_parser.c parsers/fold.c parsers/fold_table.c parsers/norm.c \
                      parsers/parse.c parsers/gsm7.c $(FUZZ_COMMON)
FUZZ_CFLAGS_parser := $(shell pkg-config --cflags libpcre2-8 2>/dev/null)
FUZZ_LIBS_parser    = $(LIB_PCRE)
FUZZ_SEEDS_parser  := tests/corpus
FUZZ_RUN_parser    := -max_len=4096

FUZZ_SRCS_conf     := tests/fuzz/fuzz_conf.c $(FUZZ_COMMON)
# the sample configuration is a seed as it stands now (a copy kept among the seeds went stale)
FUZZ_SEEDS_conf    := tests/fuzz/conf-seeds $(BUILD)/fuzz/conf-sample
FUZZ_SRCS_ctl      := tests/fuzz/fuzz_ctl.c $(FUZZ_COMMON)
FUZZ_SRCS_csv      := tests/fuzz/fuzz_csv.c $(FUZZ_COMMON)
FUZZ_SRCS_table    := tests/fuzz/fuzz_table.c $(FUZZ_COMMON)
FUZZ_SRCS_webform  := tests/fuzz/fuzz_webform.c gateway/web/html.c $(FUZZ_COMMON)

FUZZ_SRCS_pdu      := tests/fuzz/fuzz_pdu.c gateway/modem/modem_worker.c $(FUZZ_COMMON) $(wildcard parsers/*.c) \
                      gateway/modem/worker_confine.c
FUZZ_CFLAGS_pdu    := $(shell pkg-config --cflags gammu libpcre2-8 2>/dev/null)
FUZZ_LIBS_pdu       = $(LIB_GAMMU) $(LIB_PCRE)

FUZZ_SRCS_http     := tests/fuzz/fuzz_http.c gateway/http/ussd.c gateway/http/ussd_menu.c gateway/areas.c gateway/timer.c \
                      $(wildcard store/*.c) $(wildcard parsers/*.c) $(FUZZ_COMMON)
FUZZ_CFLAGS_http    = -DKT_VERSION='"$(VERSION)"' -I$(BUILD)/gen $(PKG_CFLAGS)
FUZZ_LIBS_http      = $(LIB_EVENT) $(LIB_SQLITE) $(LIB_PCRE) -lm
FUZZ_RUN_http      := -max_len=4096
# it includes generated headers (the USSD menu, the migrations); only it waits for them, so that
# concurrent smoke tests building other targets never regenerate them at once
FUZZ_AFTER_http     = | $(GEN)

# fuzz_target NAME: the binary $(BUILD)/fuzz/fuzz_NAME and the phony fuzz-NAME that runs it
define fuzz_target
FUZZ_TARGETS += fuzz-$(1)
$(BUILD)/fuzz/fuzz_$(1): $$(FUZZ_SRCS_$(1)) $$(FUZZ_HEADERS) $$(FUZZ_AFTER_$(1))
	@mkdir -p $$(dir $$@)
	$$(call say,FUZZCC,$$@)$$(FUZZ_CC) $$(FUZZ_FLAGS) $$(FUZZ_CFLAGS_$(1)) -o $$@ $$(FUZZ_SRCS_$(1)) $$(FUZZ_LIBS_$(1))
fuzz-$(1): $(BUILD)/fuzz/fuzz_$(1)
	@mkdir -p $$(FUZZ_DIR)/$(1)-corpus
	$(BUILD)/fuzz/fuzz_$(1) -max_total_time=$$(FUZZ_SECONDS) -dict=tests/fuzz/$(1).dict -timeout=10 \
	    $$(FUZZ_RUN_$(1)) $$(FUZZ_OPTS) -artifact_prefix=$$(FUZZ_DIR)/$(1)- \
	    $$(FUZZ_DIR)/$(1)-corpus $$(or $$(FUZZ_SEEDS_$(1)),tests/fuzz/$(1)-seeds)
.PHONY: fuzz-$(1)
endef
$(foreach t,parser conf ctl pdu http csv table webform,$(eval $(call fuzz_target,$(t))))

# make fuzz: each target in turn, FUZZ_SECONDS each
fuzz: $(FUZZ_TARGETS)

fuzz-conf: $(BUILD)/fuzz/conf-sample/sample.conf
$(BUILD)/fuzz/conf-sample/sample.conf: kentongan.conf.sample
	@mkdir -p $(dir $@)
	cp $< $@
