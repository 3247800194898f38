/*
 * save_dir.h - where the dashboard's 'w'/'W' save files (--save-dir DIR,
 * default the current directory), arranged before the privilege drop so
 * saving still works after it.
 *
 * The directory is opened (O_DIRECTORY) while pop3mon is still the user
 * who started it. Permission to create a file is checked when the file is
 * made, though, not when the directory was opened: after dropping root to
 * nobody, creating a file in root's directory is refused. So when a
 * privilege drop is ahead, save_dir_keep_creator() forks a small process
 * that keeps the starting user's rights for one job only: create a new
 * file (a plain name, no '/', never an existing file, mode 0600) in that
 * directory and hand the open descriptor back over a socket (OpenSSH's
 * privilege separation, in miniature). Without a drop, files are made
 * directly with openat(). Either way the file is created 0600: it holds
 * clear-text passwords.
 */
#ifndef POP3MON_SAVE_DIR_H
#define POP3MON_SAVE_DIR_H

#include <stddef.h>

#include "util.h"

struct save_dir;

/* Open DIR (NULL: "."). NULL with errbuf ("DIR: reason") on failure. */
struct save_dir *save_dir_open(const char *dir, char *errbuf, size_t errlen);
/* Before a privilege drop: keep a creator with the current rights.
 * 0, or -1 with errbuf. */
int save_dir_keep_creator(struct save_dir *sd, char *errbuf, size_t errlen) WARN_UNUSED;
/* Create NAME (a plain file name) in the directory for writing, 0600.
 * The descriptor, or -1 with errbuf naming the path once and what to do. */
int save_dir_create(struct save_dir *sd, const char *name, char *errbuf, size_t errlen);
/* The directory as given, for messages and the prompt. */
const char *save_dir_path(const struct save_dir *sd);
void save_dir_close(struct save_dir *sd);

#endif
