# parsers/: pure functions (text in, struct out); no I/O.
PARSERS_SRCS := $(wildcard parsers/*.c)
PARSERS_LIB  := $(BUILD)/libparsers.a
$(PARSERS_LIB): $(PARSERS_SRCS:%.c=$(BUILD)/obj/%.o)
	$(archive)
