# tools/mkman.mk: the man pages, built from man/*.in by tools/mkman (a build tool, not installed),
# which fills in the console commands (common/usage.c) and the config keys (common/conf.c).
MAN_DATE  := 2026-11-30
MANPAGES  := $(patsubst man/%.in,$(BUILD)/man/%,$(wildcard man/*.in))
MKMAN     := $(BUILD)/tools/mkman
$(MKMAN): $(BUILD)/obj/tools/mkman.o $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)$(CC) $(LDFLAGS) -o $@ $^
$(BUILD)/man/%: man/%.in $(MKMAN) $(BUILD)/gen/paths.h
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)$(MKMAN) -D DATE=$(MAN_DATE) -D VERSION=$(VERSION) -D PREFIX=$(PREFIX) \
	    -D CONF_PATH=$(SYSCONFDIR)/kentongan/kentongan.conf -D LOCALSTATEDIR=$(LOCALSTATEDIR) \
	    -D RUNSTATEDIR=$(RUNSTATEDIR) $< $@
programs: $(MANPAGES)

# The same filling for the systemd unit and the default /etc configuration (make install, deb).
DIST_FILES := $(BUILD)/dist/kentongand.service $(BUILD)/dist/kentongan.conf
$(BUILD)/dist/%: dist/%.in $(MKMAN) $(BUILD)/gen/paths.h
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)$(MKMAN) -D VERSION=$(VERSION) -D PREFIX=$(PREFIX) -D BINDIR=$(BINDIR) \
	    -D SYSCONFDIR=$(SYSCONFDIR) -D LOCALSTATEDIR=$(LOCALSTATEDIR) -D RUNSTATEDIR=$(RUNSTATEDIR) $< $@
programs: $(DIST_FILES)
