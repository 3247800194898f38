/*
 * json_fx.h - the JSON sink's tests' fixture (test_json, test_json_records):
 * a fresh temporary file per test, a sink writing to it, its finish.
 */
#ifndef POP3MON_TEST_JSON_FX_H
#define POP3MON_TEST_JSON_FX_H

#include "sinks.h"

/* The test's file ("/tmp/test_json_XXXXXX", made by json_fx_setup). */
extern char json_fx_path[64];

int json_fx_setup(void **state);
int json_fx_teardown(void **state);
/* A JSON sink on the test's file (asserts it opened). */
struct sink json_fx_open(const struct json_opts *o);
/* Finish the sink (asserts no error) and free it. */
void json_fx_finish(struct sink s);

#endif
