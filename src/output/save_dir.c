/*
 * save_dir.c - the save directory and its file creator (save_dir.h).
 */
#define _GNU_SOURCE /* close_range */
#include "save_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SAVE_NAME_MAX 255

struct save_dir {
	int dirfd;
	int sock;      /* to the creator, or -1: create directly */
	pid_t creator;
	char path[PATH_MAX];
};

static bool plain_name(const char *name)
{
	size_t n = strlen(name);
	return n > 0 && n <= SAVE_NAME_MAX && !strchr(name, '/') && strcmp(name, ".") &&
	       strcmp(name, "..");
}

static int create_at(int dirfd, const char *name)
{
	if (!plain_name(name))
		return -EINVAL;
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	return fd < 0 ? -errno : fd;
}

struct save_dir *save_dir_open(const char *dir, char *errbuf, size_t errlen)
{
	if (!dir || !*dir)
		dir = ".";
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(errbuf, errlen, "--save-dir %s: %s", dir, strerror(errno));
		return NULL;
	}
	struct save_dir *sd = xcalloc(1, sizeof(*sd));
	sd->dirfd = fd;
	sd->sock = -1;
	if (!realpath(dir, sd->path))
		strlcpy_safe(sd->path, dir, sizeof(sd->path));
	return sd;
}

/* The creator: one request a message (a name), one answer (0 and the
 * descriptor, or an errno). Ends when pop3mon closes its end or dies. */
static void creator_loop(int sock, int dirfd)
{
	char name[SAVE_NAME_MAX + 2];
	for (;;) {
		ssize_t n = recv(sock, name, sizeof(name) - 1, 0);
		if (n <= 0)
			return;
		name[n] = '\0';
		int fd = strlen(name) == (size_t)n ? create_at(dirfd, name) : -EINVAL;
		int err = fd < 0 ? -fd : 0;
		struct iovec iov = { &err, sizeof(err) };
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(sizeof(int))];
		} c;
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		if (fd >= 0) {
			memset(&c, 0, sizeof(c));
			mh.msg_control = c.buf;
			mh.msg_controllen = sizeof(c.buf);
			struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &fd, sizeof(int));
		}
		ssize_t s = sendmsg(sock, &mh, MSG_NOSIGNAL);
		if (fd >= 0)
			close(fd);
		if (s < 0)
			return;
	}
}

int save_dir_keep_creator(struct save_dir *sd, char *errbuf, size_t errlen)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		snprintf(errbuf, errlen, "save directory %s: socketpair: %s", sd->path, strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(errbuf, errlen, "save directory %s: fork: %s", sd->path, strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		/* Nothing of pop3mon's but the socket and the directory: no
		 * capture handle, no terminal, no signal handler of the parent. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGINT, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		signal(SIGTERM, SIG_DFL);
		int hs = fcntl(sv[1], F_DUPFD, 16), hd = fcntl(sd->dirfd, F_DUPFD, 16);
		if (hs < 0 || hd < 0 || dup2(hs, 3) < 0 || dup2(hd, 4) < 0)
			_exit(1); /* (the two may sit on 3 and 4 the other way round) */
		close_range(5, ~0u, 0);
		int devnull = open("/dev/null", O_RDWR);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
			dup2(devnull, 2);
			if (devnull > 4)
				close(devnull);
		}
		prctl(PR_SET_NAME, "pop3mon-save");
		creator_loop(3, 4);
		_exit(0);
	}
	close(sv[1]);
	sd->sock = sv[0];
	sd->creator = pid;
	return 0;
}

static int ask_creator(struct save_dir *sd, const char *name)
{
	if (send(sd->sock, name, strlen(name), MSG_NOSIGNAL) < 0)
		return -errno;
	int err = EIO;
	struct iovec iov = { &err, sizeof(err) };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} c;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf,
			     .msg_controllen = sizeof(c.buf) };
	ssize_t n = recvmsg(sd->sock, &mh, MSG_CMSG_CLOEXEC);
	if (n != (ssize_t)sizeof(err))
		return n < 0 ? -errno : -EIO;
	if (err)
		return -err;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return -EIO;
	int fd;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

int save_dir_create(struct save_dir *sd, const char *name, char *errbuf, size_t errlen)
{
	if (!plain_name(name)) {
		snprintf(errbuf, errlen,
			 "'%s' is not a file name: files are saved in %s (start pop3mon with "
			 "--save-dir DIR for another directory)", name, sd->path);
		return -1;
	}
	int fd = sd->sock >= 0 ? ask_creator(sd, name) : create_at(sd->dirfd, name);
	if (fd >= 0)
		return fd;
	int err = -fd;
	const char *sep = strcmp(sd->path, "/") ? "/" : "";
	if (err == EEXIST)
		snprintf(errbuf, errlen, "%s%s%s exists already: give another name", sd->path, sep, name);
	else if (err == EACCES || err == EPERM || err == EROFS)
		snprintf(errbuf, errlen,
			 "cannot create %s%s%s: %s (start pop3mon with --save-dir DIR, a "
			 "directory it may write in)", sd->path, sep, name, strerror(err));
	else
		snprintf(errbuf, errlen, "cannot create %s%s%s: %s", sd->path, sep, name, strerror(err));
	return -1;
}

const char *save_dir_path(const struct save_dir *sd)
{
	return sd->path;
}

void save_dir_close(struct save_dir *sd)
{
	if (!sd)
		return;
	if (sd->sock >= 0) {
		close(sd->sock);
		if (sd->creator > 0)
			waitpid(sd->creator, NULL, 0);
	}
	close(sd->dirfd);
	free(sd);
}
