/*
 * mmwatch — ModemManager (on stock Debian and Raspberry Pi OS desktops) probes every new serial
 * modem port and keeps the ones it likes open: it fights libGammu for the port, a classic cause
 * of random AT errors. Every MMWATCH_EVERY_S the daemon looks in /proc whether ModemManager runs
 * and which configured modem ports it holds; it warns in the log when that changes, and
 * `kentongan status` shows it with what to do. Runs on the daemon's loop (a /proc walk, ~ms).
 */
#ifndef GATEWAY_MMWATCH_H
#define GATEWAY_MMWATCH_H
#include <sys/types.h>

#define MMWATCH_EVERY_S	10	/* KT_MMWATCH_S overrides it (tests) */
#define MMWATCH_MAX	16

struct gateway;
struct mmwatch;

struct mmwatch_state {
	pid_t	 pid;			/* ModemManager's, 0 when it does not run */
	int	 nheld;
	struct {
		char	 modem[72];
		char	 device[256];
	}	 held[MMWATCH_MAX];	/* configured modem ports it holds open */
};

struct mmwatch	*mmwatch_new(struct gateway *);
void		 mmwatch_free(struct mmwatch *);	/* accepts NULL */
/* Looks now (also after a reload: the configured ports changed). */
void		 mmwatch_check(struct mmwatch *);
const struct mmwatch_state *mmwatch_state(const struct mmwatch *);
/* The advice, one line, for the log and status. */
#define MMWATCH_ADVICE	"install Kentongan's udev rule (ID_MM_DEVICE_IGNORE=1; make install puts " \
	"60-kentongan-modems.rules in the udev rules directory) and re-plug the modem, or stop it: " \
	"systemctl disable --now ModemManager"
#endif
