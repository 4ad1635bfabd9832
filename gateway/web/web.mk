# gateway/web/web.mk: the web console. Its C files join the gateway library (gateway/module.mk);
# its static assets (gateway/web/assets/*.css, *.js, *.svg) are compiled into kentongand as C
# strings in build/gen/web_assets.h — no build step, nothing fetched at run time.
WEB_ASSETS := $(sort $(wildcard gateway/web/assets/*))
GEN += $(BUILD)/gen/web_assets.h
$(BUILD)/gen/web_assets.h: $(WEB_ASSETS) gateway/web/web.mk
	@mkdir -p $(dir $@)
	$(call say,GEN,$@){ echo '/* generated from gateway/web/assets by gateway/web/web.mk: do not edit */'; \
	  echo 'static const struct web_asset web_assets[] = {'; \
	  for f in $(WEB_ASSETS); do \
	    printf '\t{ "%s",\n' "$$(basename $$f)"; \
	    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t  "/' -e 's/$$/\\n"/' $$f; \
	    printf '\t},\n'; \
	  done; \
	  printf '\t{ NULL, NULL },\n};\n'; } > $@.tmp && mv $@.tmp $@

# the phrases (gateway/web/strings.tsv: key, Indonesian, English) as a C table
GEN += $(BUILD)/gen/web_strings.h
$(BUILD)/gen/web_strings.h: gateway/web/strings.tsv gateway/web/web.mk
	@mkdir -p $(dir $@)
	$(call say,GEN,$@){ echo '/* generated from gateway/web/strings.tsv by gateway/web/web.mk: do not edit */'; \
	  echo 'static const struct web_phrase_row web_phrases[] = {'; \
	  grep -v '^#' gateway/web/strings.tsv | grep . | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' \
	    -e 's/^\([^\t]*\)\t\([^\t]*\)\t\(.*\)$$/\t{ "\1", "\2", "\3" },/'; \
	  printf '\t{ NULL, NULL, NULL },\n};\n'; } > $@.tmp && mv $@.tmp $@
