# tests/fuzz/fuzz_webform.mk: the web console's form parser and escaper (gateway/web/html.c).
# `make fuzz-webform FUZZ_SECONDS=60`; seeds are tests/fuzz/webform-seeds.
FUZZ_TARGETS += fuzz-webform
WEBFORM_FUZZ_SRCS := tests/fuzz/fuzz_webform.c gateway/web/html.c $(wildcard common/*.c)
$(BUILD)/fuzz/fuzz_webform: $(WEBFORM_FUZZ_SRCS) gateway/web/html.h
	@mkdir -p $(dir $@)
	$(call say,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(WEBFORM_FUZZ_SRCS)
fuzz-webform: $(BUILD)/fuzz/fuzz_webform
	@mkdir -p $(BUILD)/fuzz/webform-corpus
	$(BUILD)/fuzz/fuzz_webform -max_total_time=$(FUZZ_SECONDS) -dict=tests/fuzz/webform.dict -timeout=10 \
	    $(BUILD)/fuzz/webform-corpus tests/fuzz/webform-seeds
.PHONY: fuzz-webform
