# gateway/http/ussd.mk: the built-in USSD menu, gateway/http/ussd-menu.conf, compiled into kentongand as a
# C string (build/gen/ussd_menu.h). Included from gateway/module.mk.
GEN += $(BUILD)/gen/ussd_menu.h
$(BUILD)/gen/ussd_menu.h: gateway/http/ussd-menu.conf gateway/http/ussd.mk
	@mkdir -p $(dir $@)
	$(call say,GEN,$@){ echo '/* generated from gateway/http/ussd-menu.conf by gateway/http/ussd.mk: do not edit */'; \
	  echo 'static const char ussd_menu_text[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$$/\\n"/' gateway/http/ussd-menu.conf; \
	  printf '\t"";\n'; } > $@.tmp && mv $@.tmp $@
