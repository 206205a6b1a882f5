/* sim/jsonptr.h — setting a member of a parsed JSON document by JSON
 * pointer (RFC 6901): "/instanceGroups/0/count=12".  The value after the
 * first '=' is parsed as JSON (12, "text", {"a":1}); a bare word that is not
 * JSON is taken as a string, so /placement/tieBreak=first works unquoted.
 *
 * The pointer must name an existing array element (0-based) or a member of
 * an existing object (a new member is added; the scenario loader refuses
 * members it does not know, so a typo is still an error). */
#ifndef SIM_JSONPTR_H
#define SIM_JSONPTR_H

#include <cjson/cJSON.h>

#include "sim/err.h"

/* Apply "POINTER=VALUE" to root.  0, or -1 with e filled (place = "--set
 * POINTER", file = `what`, e.g. the scenario file). */
int jsonptr_assign(cJSON *root, const char *assignment, const char *what, struct err *e);

#endif
