/*
 * privdrop.c - give up root after the capture device is open (tcpdump -Z):
 * the rest of pop3mon parses bytes chosen by strangers and needs no
 * privilege. Groups first, then gid, then uid, then check it cannot return.
 */
#include "capture.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int privdrop_to_user(const char *user, char errbuf[CAPTURE_ERRBUF_SIZE])
{
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "-Z %s: no such user", user);
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "-Z %s: cannot drop privileges: %s", user,
			 strerror(errno));
		return -1;
	}
	if (pw->pw_uid != 0 && setuid(0) == 0) {
		snprintf(errbuf, CAPTURE_ERRBUF_SIZE, "-Z %s: privileges could be regained", user);
		return -1;
	}
	return 0;
}
