/*
 * syscall_cost.c - what one system call costs on this host, for make
 * bench's header. The speed issue's targets are for hosts where system
 * calls are cheap; on a host where they are not, tcpdump (which reads a
 * capture in small pieces) is slow, and a ratio to it flatters pop3mon.
 * Prints the median over 5 rounds of 10^6 getppid() calls, in ns, made
 * through syscall(2) so that no library caches the answer.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 5
#define CALLS 1000000L

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(void)
{
	double ns[ROUNDS];
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = now_ns();
		for (long i = 0; i < CALLS; i++)
			(void)syscall(SYS_getppid);
		ns[r] = (now_ns() - t0) / (double)CALLS;
	}
	qsort(ns, ROUNDS, sizeof ns[0], cmp_double);
	printf("%.0f\n", ns[ROUNDS / 2]);
	return 0;
}
