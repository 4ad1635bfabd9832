# store/: the only <sqlite3.h> user. Migrations are SQL files compiled into the binary.
STORE_SRCS := $(wildcard store/*.c)
STORE_MIGRATIONS := $(sort $(wildcard store/migrations/*.sql))
STORE_LIB  := $(BUILD)/libstore.a
GEN        += $(BUILD)/gen/migrations.h

$(BUILD)/gen/migrations.h: $(STORE_MIGRATIONS) tools/embed-sql.sh
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)tools/embed-sql.sh $(STORE_MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(STORE_LIB): $(STORE_SRCS:%.c=$(BUILD)/obj/%.o)
	$(call say,AR,$@)$(AR) rcs $@ $^
