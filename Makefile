# Kentongan — one non-recursive GNU makefile. Build output goes to build/.
# Each folder contributes a fragment (*/module.mk) that appends to the lists below.
#
#   make                 build kentongand, kentongan and modemsim into build/
#   make check           install missing build deps (apt), build, run every test
#   make run             start the gateway in the foreground on simulated modems
#   make bench           print performance figures (never asserted)
#   make fuzz            run the libFuzzer targets (FUZZ_SECONDS each)
#   make lint            check #include lines against the module dependency rules
#   make install         PREFIX=/usr/local DESTDIR=
#   make SANITIZE=address,undefined check
#   V=1                  show full commands

BUILD     ?= build
PREFIX    ?= /usr/local
DESTDIR   ?=
CC        ?= cc
VERSION   := 0.1.0

PKGS      := gammu sqlite3 libevent libpcre2-8
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Wshadow -Wpointer-arith \
             -Wstrict-prototypes -Wmissing-prototypes -D_GNU_SOURCE -DKT_VERSION='"$(VERSION)"' \
             -DMODEM_CONFIGS_DIR='"$(PREFIX)/share/kentongan/modem-configs"' \
             -I. -I$(BUILD)/gen $(PKG_CFLAGS) -MMD -MP
LDFLAGS   ?=
ifneq ($(SANITIZE),)
CFLAGS    += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS   += -fsanitize=$(SANITIZE)
endif
# Crash points (tests/fault) are compiled in unless RELEASE=1.
ifeq ($(RELEASE),)
CFLAGS    += -DKT_CRASHPOINTS
endif

LIB_GAMMU   := $(shell pkg-config --libs gammu 2>/dev/null)
LIB_SQLITE  := $(shell pkg-config --libs sqlite3 2>/dev/null)
LIB_EVENT   := $(shell pkg-config --libs libevent 2>/dev/null)
LIB_PCRE    := $(shell pkg-config --libs libpcre2-8 2>/dev/null)
LIB_CMOCKA  := $(shell pkg-config --libs cmocka 2>/dev/null)

ifeq ($(V),)
Q = @
say = @printf '  %-7s %s\n' $(1) $(2);
else
Q =
say =
endif

# Filled in by the fragments.
PROGRAMS    :=
BENCH_PROGS :=
FUZZ_TARGETS :=
UNIT_TESTS  :=
TEST_BINS   :=
GEN         :=

all: programs

include common/module.mk
include store/module.mk
include parsers/module.mk
include gateway/module.mk
include console/module.mk
include tools/module.mk
include tests/module.mk
-include $(wildcard tests/*/*.mk)

programs: $(PROGRAMS)

$(BUILD)/obj/%.o: %.c | $(GEN)
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(CFLAGS) -c -o $@ $<

# check: dependency step first, then a fresh make (the pkg-config look-ups above need the packages).
check:
	$(Q)tools/install-deps.sh
	$(Q)$(MAKE) --no-print-directory test

test: programs $(UNIT_TESTS) $(TEST_BINS)
	$(Q)BUILD=$(BUILD) SANITIZE=$(SANITIZE) tests/run.sh $(TESTS)

run: programs
	$(Q)tools/run-demo.sh

# Figures are printed, never asserted: machines are noisy; compare ratios measured in one run.
bench: programs $(BENCH_PROGS)
	$(Q)BUILD=$(BUILD) tools/bench.sh $(BENCH_PROGS)

# Each libFuzzer target runs for FUZZ_SECONDS (default 10).
fuzz: $(FUZZ_TARGETS)

lint:
	$(Q)tools/lint.sh

install: programs
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/kentongan
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 kentongan.conf.sample $(DESTDIR)$(PREFIX)/share/kentongan/
	cp -r modem-configs $(DESTDIR)$(PREFIX)/share/kentongan/

uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/bin/,$(notdir $(PROGRAMS)))
	rm -rf $(DESTDIR)$(PREFIX)/share/kentongan

clean:
	rm -rf $(BUILD)

.PHONY: all programs check test run lint install uninstall clean bench fuzz torture soak valgrind deps
deps:
	$(Q)tools/install-deps.sh

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
