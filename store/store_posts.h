/*
 * store_posts — the posts table: LAPOR reports from KIM leaders, published at once or waiting for
 * review. Used by the SMS router, USSD, the KIM console commands, the web console and the uplink,
 * in the daemon. Every writer here works inside the caller's transaction when one is open.
 */
#ifndef STORE_STORE_POSTS_H
#define STORE_STORE_POSTS_H
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

enum store_status store_post_add(struct store *, const char *sender, const char *kim, const char *area,
		    const char *text, int published, int64_t inbox_id, int64_t *id);
/* pending → published (approve = 1) or rejected. STORE_NOTFOUND no such post; STORE_INVALID it
 * was already reviewed (store_errmsg says how). */
enum store_status store_post_review(struct store *, int64_t id, int approve);
/* Listing: id, from, kim, area, text, status, received, box (the box that received it, on a hub;
 * null here). status NULL = all. */
enum store_status store_list_posts(struct store *, const char *status, store_row_cb, void *);
/* The number that sent post id, into number (len bytes). STORE_NOTFOUND no such post. */
enum store_status store_post_sender(struct store *, int64_t id, char *number, size_t len);
#endif
