# gateway/: the daemon. Everything but main.c goes into a library so unit tests can link it.
# Its groups: control/ (the control socket and its commands), http/ (the HTTP listener and USSD),
# modem/ (the modem's parent side, the libGammu worker and its confinement), web/ (the console).
GATEWAY_SRCS := $(filter-out gateway/main.c,$(wildcard gateway/*.c gateway/*/*.c))
GATEWAY_LIB  := $(BUILD)/libgateway.a
# HTTPS of the [http] listener (http.c): libevent's OpenSSL bufferevents
LIB_TLS      := $(shell pkg-config --libs libevent_openssl openssl 2>/dev/null)
PROGRAMS     += $(BUILD)/kentongand
$(GATEWAY_LIB): $(GATEWAY_SRCS:%.c=$(BUILD)/obj/%.o)
	$(archive)
$(BUILD)/kentongand: $(BUILD)/obj/gateway/main.o $(UPLINK_LIB) $(GATEWAY_LIB) $(STORE_LIB) $(PARSERS_LIB) $(COMMON_LIB)
	$(call say,LINK,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LIB_EVENT) $(LIB_SQLITE) $(LIB_PCRE) $(LIB_GAMMU) $(LIB_SYSTEMD) $(LIB_UPLINK) $(LIB_TLS) -lcrypt -lm
include gateway/http/ussd.mk
include gateway/web/web.mk

# The modem worker confines itself with libseccomp (gateway/modem/worker_confine.c): whatever links the
# worker links libGammu, so it takes libseccomp along.
LIB_GAMMU    += -lseccomp
