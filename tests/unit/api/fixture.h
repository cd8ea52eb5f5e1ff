/* fixture.h — what the api tests share: an engine on a fresh data directory
 * with the bundled workflows published, instants in Vietnam time, a birth
 * registration's e-form. */
#ifndef MOTCUA_TESTS_API_FIXTURE_H
#define MOTCUA_TESTS_API_FIXTURE_H

#include "base/buf.h"
#include "base/instant.h"
#include "engine/engine.h"

/* A fresh directory /tmp/motcua-test-NAME-XXXXXX (its path in dir[256])
 * holding an engine with the bundle published on 2025-12-01 08:00. */
int api_fx_open(const char *name, char dir[256], eng_engine **eng);
/* Closes the engine and removes the directory. */
int api_fx_close(const char *dir, eng_engine *eng);
/* An instant from ISO text in Vietnam time (UTC+7). */
mc_instant api_fx_at(const char *iso);
/* The log's last sequence. */
uint64_t api_fx_head(eng_engine *eng);
/* The canonical e-form of a birth registration (1.001193). */
int api_fx_birth_form(mc_buf *out);

#endif
