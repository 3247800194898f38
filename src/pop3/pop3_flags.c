/*
 * pop3_flags.c - the names of the transaction flags, from pop3_flags.def
 * (part of the JSON contract, like rule ids): the JSON writer and the
 * report write them, the --from reader reads them back.
 */
#include <stddef.h>
#include <stdint.h>

#include "pop3.h"
#include "util.h"

static const struct {
	uint32_t bit;
	const char *name;
} txn_flags[] = {
#define X(id, bit, name, desc) { id, name },
#include "pop3_flags.def"
#undef X
};

const char *pop3_txn_flag_name(uint32_t bit)
{
	for (size_t i = 0; i < ARRAY_LEN(txn_flags); i++)
		if (txn_flags[i].bit == bit)
			return txn_flags[i].name;
	return NULL;
}
