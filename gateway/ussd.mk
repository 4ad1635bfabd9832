# gateway/ussd.mk: the built-in USSD menu, gateway/ussd-menu.conf, compiled into kentongand as a
# C string (build/gen/ussd_menu.h). Included from gateway/module.mk.
GEN += $(BUILD)/gen/ussd_menu.h
$(BUILD)/gen/ussd_menu.h: gateway/ussd-menu.conf gateway/ussd.mk
	@mkdir -p $(dir $@)
	$(call say,GEN,$@){ echo '/* generated from gateway/ussd-menu.conf by gateway/ussd.mk: do not edit */'; \
	  echo 'static const char ussd_menu_text[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$$/\\n"/' gateway/ussd-menu.conf; \
	  printf '\t"";\n'; } > $@.tmp && mv $@.tmp $@
