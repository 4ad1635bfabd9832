/*
 * uplink — Kentongan boxes report to a hub over MQTT and the hub sends commands down through
 * them (docs/uplink.md has the v1 topics, JSON and acknowledgement rules). Two roles in one
 * daemon: with [uplink] it is a box reporting up, with [hub] a hub for boxes below, with both a
 * regency hub. SQLite on each side is the system of record (store/store_uplink.h); the broker
 * only carries. SMS service never waits on the link: everything here runs from timers and socket
 * events on the daemon's loop and only reads and writes the store.
 * The only module that includes <mosquitto.h> (mqlink.c) and OpenSSL (sign.c).
 */
#ifndef UPLINK_UPLINK_H
#define UPLINK_UPLINK_H
#include <stddef.h>

struct gateway;
struct uplink;
struct hub;

/* The box role ([uplink]). NULL with err on a configuration error (key files). */
struct uplink	*uplink_new(struct gateway *, char *err, size_t errlen);
void		 uplink_free(struct uplink *);	/* accepts NULL */
/* New records may be waiting: export and send soon. */
void		 uplink_kick(struct uplink *);

/* The hub role ([hub]). */
struct hub	*hub_new(struct gateway *, char *err, size_t errlen);
void		 hub_free(struct hub *);	/* accepts NULL */
/* New commands may be waiting for boxes: send soon. */
void		 hub_kick(struct hub *);
#endif
