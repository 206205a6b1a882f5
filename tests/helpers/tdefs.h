/* tests/helpers/tdefs.h — task definitions the control-plane tests share:
 * one small container (256 CPU units, 512 MiB) and its second revision,
 * which differs only in its image (a deployment's new revision). */
#ifndef TESTS_TDEFS_H
#define TESTS_TDEFS_H

#define TD_SMALL \
	"{\"family\":\"small\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\",\"cpu\":256,\"memory\":512}]}"
#define TD_SMALL_V2 \
	"{\"family\":\"small\",\"revision\":2,\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x:2\",\"cpu\":256," \
	"\"memory\":512}]}"

#endif
