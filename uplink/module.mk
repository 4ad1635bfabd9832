# uplink/: boxes report to a hub over MQTT, the hub sends signed commands down (docs/uplink.md).
# The only user of libmosquitto and OpenSSL; linked into kentongand before the gateway library.
UPLINK_SRCS := $(wildcard uplink/*.c)
UPLINK_LIB  := $(BUILD)/libuplink.a
LIB_UPLINK  := $(shell pkg-config --libs libmosquitto libcrypto zlib 2>/dev/null || echo -lmosquitto -lcrypto -lz)
$(UPLINK_LIB): $(UPLINK_SRCS:%.c=$(BUILD)/obj/%.o)
	$(archive)

# The long uplink runs (make check has the short ones): 25 kill -9 rounds against mosquitto and
# against nats-server (UPLINK_ROUNDS; KT_SEED replays one).
UPLINK_ROUNDS ?= 25
uplink-torture: programs
	$(Q)cd tests/integration && KT_UPLINK_ROUNDS=$(UPLINK_ROUNDS) ./test_uplink_crash.py && \
	    KT_BROKER=nats KT_UPLINK_ROUNDS=$(UPLINK_ROUNDS) ./test_uplink_crash.py
.PHONY: uplink-torture
