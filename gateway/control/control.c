/*
 * control — the console socket (see control.h). One request per frame; replies are streamed as
 * chunks so a long listing never needs one huge frame. A client is dropped on the first bad
 * frame after an error reply.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "common/log.h"
#include "common/proto.h"
#include "common/usage.h"
#include "common/xmalloc.h"
#include "gateway/control/control.h"
#include "gateway/gateway.h"

#define CTL_MAX_ARGS		256
#define CTL_MAX_REQUEST		(64 * 1024)	/* a request is a command line, not data */
#define CTL_CHUNK		(256 * 1024)

struct ctl_conn {
	struct ctl		*ctl;
	struct bufferevent	*bev;
	struct ctl_req		*pending;	/* an async request in progress */
	int			 closing;
	char			 user[48];	/* console:NAME of the peer's uid (two-person rule) */
	struct ctl_conn		*next;
};

struct ctl {
	struct gateway		*gw;
	struct evconnlistener	*listener;
	char			*path;
	struct ctl_conn		*conns;
	int			 nconns;
	struct event		*resume;	/* accepting again after EMFILE/ENFILE */
	time_t			 emfile_logged_at;
};

static void	conn_free(struct ctl_conn *);

static void
conn_send(struct ctl_conn *c, uint16_t type, uint64_t reqid, const void *p, size_t len)
{
	struct proto_hdr	 hdr;

	memset(&hdr, 0, sizeof(hdr));
	hdr.version = PROTO_VERSION;
	hdr.type = type;
	hdr.len = (uint32_t)len;
	hdr.reqid = reqid;
	bufferevent_write(c->bev, &hdr, sizeof(hdr));
	if (len)
		bufferevent_write(c->bev, p, len);
}

static void
conn_send_text(struct ctl_conn *c, uint16_t type, uint64_t reqid, const char *s, size_t len)
{
	/* chunks of plain pbuf strings */
	while (len > 0) {
		size_t		 n = len > CTL_CHUNK ? CTL_CHUNK : len;
		struct pbuf	 b;

		pbuf_init(&b);
		pbuf_bytes(&b, s, n);
		conn_send(c, type, reqid, b.buf, b.len);
		pbuf_free(&b);
		s += n;
		len -= n;
	}
}

static void
conn_send_done(struct ctl_conn *c, uint64_t reqid, int status)
{
	struct pbuf	 b;

	pbuf_init(&b);
	pbuf_u32(&b, (uint32_t)status);
	conn_send(c, PROTO_CTL_DONE, reqid, b.buf, b.len);
	pbuf_free(&b);
}

static void
conn_error(struct ctl_conn *c, uint64_t reqid, const char *msg)
{
	char	 line[512];

	snprintf(line, sizeof(line), "kentongand: %s\n", msg);
	conn_send_text(c, PROTO_CTL_ERR, reqid, line, strlen(line));
	conn_send_done(c, reqid, 1);
}

void
ctl_req_done(struct ctl_req *req, int status)
{
	struct ctl_conn	*c = req->conn;

	fclose(req->out);
	fclose(req->err);
	if (c != NULL) {
		conn_send_text(c, PROTO_CTL_OUT, req->reqid, req->outbuf, req->outlen);
		conn_send_text(c, PROTO_CTL_ERR, req->reqid, req->errbuf, req->errlen);
		conn_send_done(c, req->reqid, status);
		c->pending = NULL;
	}
	free(req->outbuf);
	free(req->errbuf);
	free(req);
}

int
ctl_usage(struct ctl_req *req, const char *name)
{
	return usage_print_one(req->err, name);
}

/* Finds the command whose name matches the most leading words of argv. */
static const struct ctl_command *
find_command(int argc, char **argv, int *used)
{
	const struct ctl_command	*cmd, *best = NULL;
	int				 bestn = 0;

	for (cmd = ctl_commands; cmd->name; cmd++) {
		char		 buf[128], *w, *save = NULL;
		int		 n = 0, ok = 1;

		snprintf(buf, sizeof(buf), "%s", cmd->name);
		for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
			if (n >= argc || strcmp(argv[n], w) != 0) {
				ok = 0;
				break;
			}
			n++;
		}
		if (ok && n > bestn) {
			best = cmd;
			bestn = n;
		}
	}
	*used = bestn;
	return best;
}

static void
handle_request(struct ctl_conn *c, const struct proto_hdr *hdr, const uint8_t *payload)
{
	struct pbuf			 b;
	const char			*fmt;
	uint32_t			 argc, i;
	char				*argv[CTL_MAX_ARGS + 1];
	const struct ctl_command	*cmd;
	struct ctl_req			*req;
	int				 used, status;

	if (hdr->type != PROTO_CTL_REQ) {
		conn_error(c, hdr->reqid, "unexpected message type");
		c->closing = 1;
		return;
	}
	if (c->pending != NULL) {
		conn_error(c, hdr->reqid, "one request at a time, please");
		return;
	}
	pbuf_reader(&b, payload, hdr->len);
	fmt = pbuf_get_str(&b);
	argc = pbuf_get_u32(&b);
	if (b.err || argc > CTL_MAX_ARGS) {
		conn_error(c, hdr->reqid, "malformed request");
		c->closing = 1;
		return;
	}
	for (i = 0; i < argc; i++)
		argv[i] = (char *)pbuf_get_str(&b);
	argv[argc] = NULL;
	if (b.err || b.off != b.len) {
		conn_error(c, hdr->reqid, "malformed request");
		c->closing = 1;
		return;
	}
	req = xcalloc(1, sizeof(*req));
	req->gw = c->ctl->gw;
	req->conn = c;
	req->reqid = hdr->reqid;
	snprintf(req->actor, sizeof(req->actor), "console");
	snprintf(req->user, sizeof(req->user), "%s", c->user);
	if (table_parse_format(fmt, &req->fmt) == -1) {
		free(req);
		conn_error(c, hdr->reqid, "unknown output format (expected text, json or csv)");
		return;
	}
	req->out = open_memstream(&req->outbuf, &req->outlen);
	req->err = open_memstream(&req->errbuf, &req->errlen);
	if (req->out == NULL || req->err == NULL)
		fatal("open_memstream");
	if (argc == 0 || (cmd = find_command((int)argc, argv, &used)) == NULL) {
		fprintf(req->err, "unknown command '%s'; try: kentongan --help\n", argc ? argv[0] : "");
		ctl_req_done(req, 1);
		return;
	}
	log_debug("ctl: command=\"%s\" args=%u", cmd->name, argc - used);
	c->pending = req;
	/* the handler sees argv[0] = the command's last word, so getopt works on it */
	status = cmd->fn(req, (int)argc - used + 1, argv + used - 1);
	if (status != CTL_ASYNC)
		ctl_req_done(req, status);
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_conn		*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct proto_hdr	 hdr;
	enum proto_check	 chk;

	while (!c->closing && c->pending == NULL) {
		size_t		 avail = evbuffer_get_length(in);
		uint8_t		*p;

		if (avail < sizeof(hdr))
			break;
		p = evbuffer_pullup(in, sizeof(hdr));
		chk = proto_check(p, sizeof(hdr), &hdr);
		if (chk == PROTO_NEED_MORE && hdr.len > CTL_MAX_REQUEST)
			chk = PROTO_TOO_BIG;
		if (chk == PROTO_BAD_VERSION || chk == PROTO_TOO_BIG) {
			log_warnx("ctl: dropping a client: %s", proto_check_str(chk));
			conn_error(c, 0, proto_check_str(chk));
			c->closing = 1;
			break;
		}
		if (avail < sizeof(hdr) + hdr.len)
			break;
		p = evbuffer_pullup(in, sizeof(hdr) + hdr.len);
		{
			uint8_t *payload = xmalloc(hdr.len + 1);

			memcpy(payload, p + sizeof(hdr), hdr.len);
			payload[hdr.len] = 0;
			evbuffer_drain(in, sizeof(hdr) + hdr.len);
			handle_request(c, &hdr, payload);
			free(payload);
		}
	}
	if (c->closing && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		conn_free(c);
}

static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_conn	*c = arg;

	if (c->closing)
		conn_free(c);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct ctl_conn	*c = arg;

	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		conn_free(c);
}

static void
conn_free(struct ctl_conn *c)
{
	struct ctl_conn	**pp;

	for (pp = &c->ctl->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	c->ctl->nconns--;
	if (c->pending)
		c->pending->conn = NULL;	/* the async command finishes into the void */
	bufferevent_free(c->bev);
	free(c);
}

/* Who is at the other end: "console:NAME" from the peer's uid, so that the two-person rule can tell
 * two officials at the console apart (each logs in as themselves). */
static void
conn_user(int fd, char *buf, size_t len)
{
	struct ucred	 cr;
	socklen_t	 crlen = sizeof(cr);
	struct passwd	*pw;

	snprintf(buf, len, "console");
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) == -1)
		return;
	if ((pw = getpwuid(cr.uid)) != NULL)
		snprintf(buf, len, "console:%s", pw->pw_name);
	else
		snprintf(buf, len, "console:uid%u", (unsigned)cr.uid);
}

static void
accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
	struct ctl	*ctl = arg;
	struct ctl_conn	*c;

	if (ctl->nconns >= 64) {
		log_warnx("ctl: too many consoles connected; refusing one");
		close(fd);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->ctl = ctl;
	conn_user(fd, c->user, sizeof(c->user));
	c->bev = bufferevent_socket_new(ctl->gw->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		close(fd);
		free(c);
		return;
	}
	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
	/* while a command runs, the next requests wait in the socket, not in our memory: reading
	 * pauses once one whole request (the largest allowed) is buffered */
	bufferevent_setwatermark(c->bev, EV_READ, 0, CTL_MAX_REQUEST + 2 * sizeof(struct proto_hdr));
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	c->next = ctl->conns;
	ctl->conns = c;
	ctl->nconns++;
}

static void
resume_cb(evutil_socket_t unused, short what, void *arg)
{
	struct ctl *ctl = arg;

	evconnlistener_enable(ctl->listener);
}

/* accept() failed: out of descriptors, the listener would wake again at once and spin (libevent
 * logging each time); it pauses for a second instead, with a line a minute at most. */
static void
accept_error_cb(struct evconnlistener *l, void *arg)
{
	struct ctl	*ctl = arg;
	int		 err = EVUTIL_SOCKET_ERROR();
	struct timeval	 tv = { 1, 0 };
	time_t		 now = time(NULL);

	if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
		evconnlistener_disable(l);
		evtimer_add(ctl->resume, &tv);
	}
	if (now - ctl->emfile_logged_at >= 60) {
		ctl->emfile_logged_at = now;
		log_warnx("ctl: accept: %s%s", strerror(err), err == EMFILE || err == ENFILE ?
		    "; consoles wait a second (next report in a minute at the earliest)" : "");
	}
}

struct ctl *
ctl_new(struct gateway *gw, const char *path, char *err, size_t errlen)
{
	struct ctl		*ctl;
	struct sockaddr_un	 sun;
	struct stat		 sb;
	int			 fd;
	mode_t			 old;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "control socket path too long (max %zu): %s", sizeof(sun.sun_path) - 1, path);
		return NULL;
	}
	strcpy(sun.sun_path, path);
	/* a stale socket from a crash: the daemon lock already proved nobody else uses it. Anything
	 * else at that path (a typo naming the database, a note) is not ours to remove. */
	if (lstat(path, &sb) == 0 && !S_ISSOCK(sb.st_mode)) {
		snprintf(err, errlen, "control = %s: a file that is not a socket is there; refusing to remove "
		    "it (check the control path)", path);
		return NULL;
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove the old control socket %s: %s", path, strerror(errno));
		return NULL;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return NULL;
	}
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		snprintf(err, errlen, "cannot create the control socket %s: %s (does the directory exist?)",
		    path, strerror(errno));
		close(fd);
		return NULL;
	}
	umask(old);
	chmod(path, 0660);
	ctl = xcalloc(1, sizeof(*ctl));
	ctl->gw = gw;
	ctl->path = xstrdup(path);
	ctl->listener = evconnlistener_new(gw->base, accept_cb, ctl, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
	    16, fd);
	if (ctl->listener == NULL) {
		snprintf(err, errlen, "listen on %s: %s", path, strerror(errno));
		close(fd);
		free(ctl->path);
		free(ctl);
		return NULL;
	}
	ctl->resume = evtimer_new(gw->base, resume_cb, ctl);
	evconnlistener_set_error_cb(ctl->listener, accept_error_cb);
	return ctl;
}

void
ctl_free(struct ctl *ctl)
{
	if (ctl == NULL)
		return;
	while (ctl->conns)
		conn_free(ctl->conns);
	evconnlistener_free(ctl->listener);
	if (ctl->resume)
		event_free(ctl->resume);
	unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}

