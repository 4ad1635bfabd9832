/* proto — frame checks, blocking frame I/O and the pbuf payload codec. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/proto.h"
#include "common/xmalloc.h"

enum proto_check
proto_check(const void *buf, size_t len, struct proto_hdr *hdr)
{
	if (len < sizeof(*hdr))
		return PROTO_NEED_MORE;
	memcpy(hdr, buf, sizeof(*hdr));
	if (hdr->version != PROTO_VERSION)
		return PROTO_BAD_VERSION;
	if (hdr->len > PROTO_MAX_PAYLOAD)
		return PROTO_TOO_BIG;
	if (len - sizeof(*hdr) < hdr->len)
		return PROTO_NEED_MORE;
	return PROTO_FRAME_OK;
}

const char *
proto_check_str(enum proto_check c)
{
	switch (c) {
	case PROTO_NEED_MORE:	return "incomplete frame";
	case PROTO_FRAME_OK:	return "ok";
	case PROTO_BAD_VERSION:	return "unsupported protocol version";
	case PROTO_TOO_BIG:	return "frame larger than the limit";
	}
	return "?";
}

/*
 * Moves all n bytes between fd and b, with write(2) when out, else read(2), retrying on EINTR.
 * -1 on an error, and on end of file (or a write that takes nothing) with errno 0.
 */
static int
move_all(int fd, uint8_t *b, size_t n, int out)
{
	while (n > 0) {
		ssize_t k = out ? write(fd, b, n) : read(fd, b, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (k == 0) {
			errno = 0;
			return -1;
		}
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

uint8_t *
proto_frame(uint16_t type, uint64_t reqid, const void *payload, size_t len, size_t *framelen)
{
	struct proto_hdr	 hdr;
	uint8_t			*frame;

	if (len > PROTO_MAX_PAYLOAD) {
		errno = EMSGSIZE;
		return NULL;
	}
	memset(&hdr, 0, sizeof(hdr));
	hdr.version = PROTO_VERSION;
	hdr.type = type;
	hdr.len = (uint32_t)len;
	hdr.reqid = reqid;
	frame = xmalloc(sizeof(hdr) + len);
	memcpy(frame, &hdr, sizeof(hdr));
	if (len)
		memcpy(frame + sizeof(hdr), payload, len);
	*framelen = sizeof(hdr) + len;
	return frame;
}

int
proto_write(int fd, uint16_t type, uint64_t reqid, const void *payload, size_t len)
{
	uint8_t	*frame;
	size_t	 n;
	int	 rc;

	/* one write, so that a frame is never interleaved or half-sent on a signal */
	if ((frame = proto_frame(type, reqid, payload, len, &n)) == NULL)
		return -1;
	rc = move_all(fd, frame, n, 1);
	free(frame);
	return rc;
}

int
proto_read(int fd, struct proto_hdr *hdr, void **payload)
{
	struct proto_hdr	 h;
	void			*p;

	*payload = NULL;
	if (move_all(fd, (uint8_t *)&h, sizeof(h), 0) == -1)
		return -1;
	if (h.version != PROTO_VERSION || h.len > PROTO_MAX_PAYLOAD) {
		errno = EPROTO;
		return -1;
	}
	p = xmalloc(h.len + 1);
	if (move_all(fd, p, h.len, 0) == -1) {
		free(p);
		return -1;
	}
	((char *)p)[h.len] = '\0';
	*hdr = h;
	*payload = p;
	return 0;
}

void
pbuf_init(struct pbuf *b)
{
	memset(b, 0, sizeof(*b));
}

void
pbuf_reader(struct pbuf *b, const void *data, size_t len)
{
	memset(b, 0, sizeof(*b));
	b->buf = (uint8_t *)data;
	b->len = len;
}

void
pbuf_free(struct pbuf *b)
{
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

static void
pbuf_put(struct pbuf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + n)
			cap *= 2;
		b->buf = xrealloc(b->buf, cap);
		b->cap = cap;
	}
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

void pbuf_u32(struct pbuf *b, uint32_t v) { pbuf_put(b, &v, sizeof(v)); }
void pbuf_u64(struct pbuf *b, uint64_t v) { pbuf_put(b, &v, sizeof(v)); }
void pbuf_i64(struct pbuf *b, int64_t v) { pbuf_put(b, &v, sizeof(v)); }

void
pbuf_bytes(struct pbuf *b, const void *p, size_t n)
{
	uint32_t	 len = (uint32_t)n;
	uint8_t		 nul = 0;

	pbuf_put(b, &len, sizeof(len));
	if (n)
		pbuf_put(b, p, n);
	pbuf_put(b, &nul, 1);	/* so strings can be used in place */
}

void
pbuf_str(struct pbuf *b, const char *s)
{
	if (s == NULL)
		s = "";
	pbuf_bytes(b, s, strlen(s));
}

static int
pbuf_take(struct pbuf *b, void *out, size_t n)
{
	if (b->err || b->len - b->off < n) {
		b->err = 1;
		memset(out, 0, n);
		return -1;
	}
	memcpy(out, b->buf + b->off, n);
	b->off += n;
	return 0;
}

uint32_t pbuf_get_u32(struct pbuf *b) { uint32_t v; pbuf_take(b, &v, sizeof(v)); return v; }
uint64_t pbuf_get_u64(struct pbuf *b) { uint64_t v; pbuf_take(b, &v, sizeof(v)); return v; }
int64_t pbuf_get_i64(struct pbuf *b) { int64_t v; pbuf_take(b, &v, sizeof(v)); return v; }

const void *
pbuf_get_bytes(struct pbuf *b, size_t *lenp)
{
	uint32_t	 len;
	const void	*p;

	*lenp = 0;
	if (pbuf_take(b, &len, sizeof(len)) == -1)
		return NULL;
	if (b->len - b->off < (size_t)len + 1 || b->buf[b->off + len] != '\0') {
		b->err = 1;
		return NULL;
	}
	p = b->buf + b->off;
	b->off += (size_t)len + 1;
	*lenp = len;
	return p;
}

const char *
pbuf_get_str(struct pbuf *b)
{
	size_t		 len;
	const char	*s = pbuf_get_bytes(b, &len);

	if (s == NULL || memchr(s, '\0', len) != NULL) {
		b->err = 1;
		return "";
	}
	return s;
}
