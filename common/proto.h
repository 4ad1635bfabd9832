/*
 * proto — framed, versioned, length-checked messages over a stream socket. Used by the control
 * socket (console ↔ daemon) and the modem workers (daemon ↔ worker). A frame is a proto_hdr in
 * host byte order (both ends are on this machine) followed by len payload bytes. Payloads are
 * built and read with pbuf: a sequence of typed, length-prefixed fields, so a short or corrupt
 * payload is an error, never an overread.
 */
#ifndef COMMON_PROTO_H
#define COMMON_PROTO_H
#include <stddef.h>
#include <stdint.h>

#define PROTO_VERSION		1
#define PROTO_MAX_PAYLOAD	(4u << 20)	/* 4 MiB: a console listing is streamed in chunks */

struct proto_hdr {
	uint16_t	version;	/* PROTO_VERSION */
	uint16_t	type;		/* enum proto_type */
	uint32_t	len;		/* payload bytes, <= PROTO_MAX_PAYLOAD */
	uint64_t	reqid;		/* echoed in the reply */
};

enum proto_type {
	/* console <-> daemon */
	PROTO_CTL_REQ = 1,		/* str format, u32 argc, str argv[argc] */
	PROTO_CTL_OUT,			/* str chunk of standard output (more may follow) */
	PROTO_CTL_ERR,			/* str chunk of standard error */
	PROTO_CTL_DONE,			/* u32 exit status; ends the reply */

	/* daemon <-> modem worker: see gateway/modem/modem.h for the payloads */
	PROTO_W_HELLO = 100,
	PROTO_W_STATUS,
	PROTO_W_SMS_IN,
	PROTO_W_SMS_ACK,
	PROTO_W_SEND,
	PROTO_W_SENT,
	PROTO_W_USSD,
	PROTO_W_USSD_REPLY,
	PROTO_W_PING,
	PROTO_W_PONG,
	PROTO_W_REPORT,
	PROTO_W_QUIT,
	PROTO_W_READING,
	PROTO_W_SIMSTATE,
	PROTO_W_PROBE,			/* kentongand --probe -> kentongan modems detect */
	PROTO_W_CLOCK,
	PROTO_W_MAX = 199,
};

/* The outcome field of PROTO_W_PROBE (payload: gateway/modem/modem_worker.h). */
enum proto_probe {
	PROTO_PROBE_OPEN_FAILED = 0,	/* the device cannot be opened (the error says why) */
	PROTO_PROBE_NO_ANSWER,		/* opened, but libGammu could not talk AT to it */
	PROTO_PROBE_ANSWERED,		/* a modem: the rest of the payload is filled */
};

enum proto_check {
	PROTO_NEED_MORE = 0,	/* fewer bytes than a whole frame */
	PROTO_FRAME_OK,		/* a whole frame is there */
	PROTO_BAD_VERSION,
	PROTO_TOO_BIG,
};

/* Checks the header at the front of buf (len bytes available). Fills *hdr when possible. */
enum proto_check proto_check(const void *buf, size_t len, struct proto_hdr *hdr);
const char	*proto_check_str(enum proto_check);

/* A whole frame (header and payload) in one xmalloc'd buffer of *framelen bytes; NULL if too big. */
uint8_t	*proto_frame(uint16_t type, uint64_t reqid, const void *payload, size_t len, size_t *framelen);

/* Blocking I/O for the simple ends (console, worker). 0 ok, -1 error/EOF (errno set; 0 on EOF). */
int	proto_write(int fd, uint16_t type, uint64_t reqid, const void *payload, size_t len);
int	proto_read(int fd, struct proto_hdr *hdr, void **payload);	/* *payload xmalloc'd; caller frees */

/* Payload builder/reader. */
struct pbuf {
	uint8_t		*buf;
	size_t		 len;	/* bytes written (builder) or available (reader) */
	size_t		 cap;
	size_t		 off;	/* read offset */
	int		 err;	/* reader: set on underflow or bad field; all later reads fail */
};

void		 pbuf_init(struct pbuf *);
void		 pbuf_reader(struct pbuf *, const void *data, size_t len);	/* no copy */
void		 pbuf_free(struct pbuf *);
void		 pbuf_u32(struct pbuf *, uint32_t);
void		 pbuf_u64(struct pbuf *, uint64_t);
void		 pbuf_i64(struct pbuf *, int64_t);
void		 pbuf_str(struct pbuf *, const char *);	/* NULL is sent as "" */
void		 pbuf_bytes(struct pbuf *, const void *, size_t);
uint32_t	 pbuf_get_u32(struct pbuf *);
uint64_t	 pbuf_get_u64(struct pbuf *);
int64_t		 pbuf_get_i64(struct pbuf *);
/* Returns a pointer into the buffer (NUL-terminated by the sender), or "" on error. */
const char	*pbuf_get_str(struct pbuf *);
const void	*pbuf_get_bytes(struct pbuf *, size_t *len);
#endif
