# parsers/: pure functions (text in, struct out); no I/O.
PARSERS_SRCS := $(wildcard parsers/*.c)
PARSERS_LIB  := $(BUILD)/libparsers.a
$(PARSERS_LIB): $(PARSERS_SRCS:%.c=$(BUILD)/obj/%.o)
	$(call say,AR,$@)$(AR) rcs $@ $^

# Fuzz target: built with clang + libFuzzer straight from the sources (not the gcc-built library).
# `make fuzz-parser FUZZ_SECONDS=60`; new inputs go to $(BUILD)/fuzz/parser-corpus, seeds are tests/corpus.
FUZZ_SECONDS  ?= 10
FUZZ_CC       ?= clang
FUZZ_TARGETS  += fuzz-parser
PARSERS_FUZZ_SRCS := tests/fuzz/fuzz_parser.c parsers/fold.c parsers/fold_table.c parsers/norm.c \
                     parsers/parse.c parsers/gsm7.c common/xmalloc.c common/log.c common/str.c
$(BUILD)/fuzz/fuzz_parser: $(PARSERS_FUZZ_SRCS) parsers/fold.h parsers/norm.h parsers/parse.h parsers/gsm7.h
	@mkdir -p $(dir $@)
	$(call say,FUZZCC,$@)$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer \
	    -std=gnu11 -D_GNU_SOURCE -I. $(shell pkg-config --cflags libpcre2-8 2>/dev/null) \
	    -o $@ $(PARSERS_FUZZ_SRCS) $(LIB_PCRE)
fuzz-parser: $(BUILD)/fuzz/fuzz_parser
	@mkdir -p $(BUILD)/fuzz/parser-corpus
	$(BUILD)/fuzz/fuzz_parser -max_total_time=$(FUZZ_SECONDS) -dict=tests/fuzz/parser.dict \
	    -max_len=4096 $(BUILD)/fuzz/parser-corpus tests/corpus
.PHONY: fuzz-parser

# Benchmark: parser throughput and worst-case pattern time (printed, never asserted).
BENCH_PROGS += $(BUILD)/bench/bench_parser
$(BUILD)/bench/bench_parser: $(BUILD)/obj/tests/bench/bench_parser.o $(PARSERS_LIB) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LIB_PCRE) -lm
