# tools/modemsim.mk: modemsim, the simulated GSM modem (tools/modemsim*.c), and the small
# libGammu client the integration tests drive it with (tests/integration/helpers/).
MODEMSIM_SRCS := $(wildcard tools/modemsim*.c)
PROGRAMS      += $(BUILD)/modemsim
$(BUILD)/modemsim: $(MODEMSIM_SRCS:%.c=$(BUILD)/obj/%.o) $(COMMON_LIB)
	$(call say,LINK,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LIB_GAMMU)

MODEMSIM_HELPER_SRCS := $(wildcard tests/integration/helpers/gammu_client.c)
TEST_BINS     += $(MODEMSIM_HELPER_SRCS:tests/integration/helpers/%.c=$(BUILD)/tests/helpers/%)
$(BUILD)/tests/helpers/%: $(BUILD)/obj/tests/integration/helpers/%.o
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LIB_GAMMU)
# Built by plain `make` too (not installed): `make && tests/run.sh modemsim` needs it.
programs: $(MODEMSIM_HELPER_SRCS:tests/integration/helpers/%.c=$(BUILD)/tests/helpers/%)
