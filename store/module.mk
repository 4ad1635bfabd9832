# store/: the only <sqlite3.h> user. Migrations are SQL files compiled into the binary.
STORE_SRCS := $(wildcard store/*.c)
STORE_MIGRATIONS := $(sort $(wildcard store/migrations/*.sql))
STORE_LIB  := $(BUILD)/libstore.a
GEN        += $(BUILD)/gen/migrations.h

# regenerated on every make (it is cheap) and replaced only when it changed: a migration removed
# before it shipped must leave the binary too, which a plain prerequisite list cannot notice; the
# temporary file is per make (two makes in one build directory must not write one file)
$(BUILD)/gen/migrations.h: FORCE
	@mkdir -p $(dir $@)
	@t=$@.$$$$.tmp; tools/embed-sql.sh $(STORE_MIGRATIONS) > $$t && \
	    { cmp -s $$t $@ && rm -f $$t || { $(if $(V),,echo "  GEN     $@";) mv $$t $@; }; }

$(STORE_LIB): $(STORE_SRCS:%.c=$(BUILD)/obj/%.o)
	$(archive)

# PIN hashes are yescrypt through libcrypt (crypt_r): every program linking the store links SQLite,
# so it takes libcrypt along.
LIB_CRYPT  := -lcrypt
LIB_SQLITE += $(LIB_CRYPT)
