/*
 * tools/modemsim_pty.c: modemsim's pseudo-terminal — opening it, the stable link, buffered output,
 * unsolicited lines, unplugging and re-enumeration.
 */
#include "tools/modemsim.h"

int
pty_open(char *name, size_t namelen, int *sfdp)
{
	struct termios	 tio;
	int		 mfd, sfd;
	const char	*pn;

	mfd = posix_openpt(O_RDWR | O_NOCTTY);
	if (mfd == -1)
		return -1;
	if (grantpt(mfd) == -1 || unlockpt(mfd) == -1 || (pn = ptsname(mfd)) == NULL) {
		close(mfd);
		return -1;
	}
	snprintf(name, namelen, "%s", pn);
	/* Our own slave fd, raw, open before any client: clients then never read EIO. */
	sfd = open(name, O_RDWR | O_NOCTTY);
	if (sfd == -1) {
		close(mfd);
		return -1;
	}
	if (tcgetattr(sfd, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(sfd, TCSANOW, &tio);
	}
	fcntl(mfd, F_SETFL, fcntl(mfd, F_GETFL) | O_NONBLOCK);
	fcntl(mfd, F_SETFD, FD_CLOEXEC);
	fcntl(sfd, F_SETFD, FD_CLOEXEC);
	*sfdp = sfd;
	return mfd;
}

/* Points path at target, replacing whatever symlink was there. */
int
link_set(const char *path, const char *target)
{
	char	*tmp;
	int	 rc;

	xasprintf(&tmp, "%s.tmp%ld", path, (long)getpid());
	unlink(tmp);
	if (symlink(target, tmp) == -1) {
		free(tmp);
		return -1;
	}
	rc = rename(tmp, path);
	if (rc == -1)
		unlink(tmp);
	free(tmp);
	return rc;
}

void
out_raw(struct sim *sim, const char *s, size_t len)
{
	if (sim->mfd == -1 || len == 0)
		return;
	if (sim->outlen + len > MS_OUT_MAX) {
		/* Nobody reads: drop, as a modem's UART buffer would. */
		sim->outlen = 0;
	}
	sim->out = xrealloc(sim->out, sim->outlen + len);
	memcpy(sim->out + sim->outlen, s, len);
	sim->outlen += len;
}

static void
out_write(struct sim *sim, const char *s, size_t len)
{
	if (sim->mfd == -1 || len == 0)
		return;
	sim_log(sim, ">", s, len);
	out_raw(sim, s, len);
}

void
out_str(struct sim *sim, const char *s)
{
	out_write(sim, s, strlen(s));
}

void
out_flush(struct sim *sim)
{
	ssize_t	 n;

	while (sim->mfd != -1 && sim->outlen > 0) {
		n = write(sim->mfd, sim->out, sim->outlen);
		if (n <= 0)
			return;
		memmove(sim->out, sim->out + n, sim->outlen - n);
		sim->outlen -= n;
	}
}

/* Queues an unsolicited line; it goes out when no command is executing. */
void
urc(struct sim *sim, const char *line)
{
	if (sim->mfd == -1)
		return;
	strlist_push(&sim->urcs, line);
}

int
sim_idle(struct sim *sim)
{
	return !sim->busy && sim->pdu_mode == 0 && !sim->hang && sim->mfd != -1;
}

void
urc_flush(struct sim *sim)
{
	struct strlist	*e;

	if (!sim_idle(sim) || sim->linelen > 0)
		return;
	while ((e = sim->urcs) != NULL) {
		sim->urcs = e->next;
		out_str(sim, "\r\n");
		out_str(sim, e->s);
		out_str(sim, "\r\n");
		free(e->s);
		free(e);
	}
}

void
pty_unplug(struct sim *sim, int seconds, const char *new_link)
{
	if (sim->mfd == -1)
		return;
	/* Reserve the next pty before freeing this one, so its number differs (re-enumeration). */
	sim->spare_mfd = pty_open(sim->spare_name, sizeof(sim->spare_name), &sim->spare_sfd);
	close(sim->mfd);
	close(sim->sfd);
	sim->mfd = sim->sfd = -1;
	if (sim->link != NULL)
		unlink(sim->link);
	if (sim->new_link != NULL)
		unlink(sim->new_link);
	free(sim->new_link);
	sim->new_link = new_link != NULL ? xstrdup(new_link) : NULL;
	sim->outlen = 0;
	sim->linelen = 0;
	sim->pdu_mode = 0;
	sim->busy = 0;
	free(sim->busy_reply);
	sim->busy_reply = NULL;
	sim->held_inlen = 0;
	strlist_free(&sim->urcs);
	strlist_free(&sim->ussd_due);
	sim->replug_at = now_ms() + (int64_t)seconds * 1000;
	sim_event(sim, "unplugged %s for %d s", sim->ptyname, seconds);
}

void
pty_replug(struct sim *sim)
{
	if (sim->spare_mfd == -1)
		sim->spare_mfd = pty_open(sim->spare_name, sizeof(sim->spare_name), &sim->spare_sfd);
	if (sim->spare_mfd == -1) {
		/* Try again later rather than die: a test may be holding many ptys. */
		sim->replug_at = now_ms() + 1000;
		return;
	}
	sim->mfd = sim->spare_mfd;
	sim->sfd = sim->spare_sfd;
	snprintf(sim->ptyname, sizeof(sim->ptyname), "%s", sim->spare_name);
	sim->spare_mfd = sim->spare_sfd = -1;
	sim->replug_at = 0;
	/* A re-enumerated modem comes back reset. */
	sim->echo = 1;
	sim->cnmi[0] = sim->cnmi[1] = sim->cnmi[2] = sim->cnmi[3] = sim->cnmi[4] = 0;
	snprintf(sim->cscs, sizeof(sim->cscs), "IRA");
	if (sim->link != NULL && link_set(sim->link, sim->ptyname) == -1)
		fprintf(stderr, "modemsim: cannot link %s -> %s: %s\n", sim->link, sim->ptyname,
		    strerror(errno));
	if (sim->new_link != NULL && link_set(sim->new_link, sim->ptyname) == -1)
		fprintf(stderr, "modemsim: cannot link %s -> %s: %s\n", sim->new_link,
		    sim->ptyname, strerror(errno));
	sim_event(sim, "plugged in as %s", sim->ptyname);
	printf("%s\n", sim->ptyname);
	fflush(stdout);
	urc(sim, "^BOOT:20382058,0,0,0,6");
}
