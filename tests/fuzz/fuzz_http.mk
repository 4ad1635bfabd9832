# tests/fuzz/fuzz_http.mk: the USSD callback's fuzz target (clang + libFuzzer, straight from the
# sources). `make fuzz-http FUZZ_SECONDS=60`; new inputs go to $(BUILD)/fuzz/http-corpus, seeds are
# tests/fuzz/http-seeds.
FUZZ_TARGETS += fuzz-http
HTTP_FUZZ_SRCS := tests/fuzz/fuzz_http.c gateway/ussd.c gateway/ussd_menu.c gateway/areas.c gateway/timer.c $(wildcard store/*.c) $(wildcard parsers/*.c) \
                  $(wildcard common/*.c)
$(BUILD)/fuzz/fuzz_http: $(HTTP_FUZZ_SRCS) gateway/ussd.h gateway/ussd-internal.h | $(GEN)
	@mkdir -p $(dir $@)
	$(call say,FUZZCC,$@)$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer \
	    -std=gnu11 -D_GNU_SOURCE -DKT_VERSION='"$(VERSION)"' -I. -I$(BUILD)/gen $(PKG_CFLAGS) \
	    -o $@ $(HTTP_FUZZ_SRCS) $(LIB_EVENT) $(LIB_SQLITE) $(LIB_PCRE) -lm
fuzz-http: $(BUILD)/fuzz/fuzz_http
	@mkdir -p $(BUILD)/fuzz/http-corpus
	$(BUILD)/fuzz/fuzz_http -max_total_time=$(FUZZ_SECONDS) -dict=tests/fuzz/http.dict \
	    -max_len=4096 $(BUILD)/fuzz/http-corpus tests/fuzz/http-seeds
.PHONY: fuzz-http
