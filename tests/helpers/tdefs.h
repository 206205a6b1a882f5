/* tests/helpers/tdefs.h — what the control-plane tests share: task
 * definitions (one small container, 256 CPU units, 512 MiB, and its second
 * revision, which differs only in its image: a deployment's new revision)
 * and a scenario's fixed latencies. */
#ifndef TESTS_TDEFS_H
#define TESTS_TDEFS_H

#define TD_SMALL \
	"{\"family\":\"small\",\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x\",\"cpu\":256,\"memory\":512}]}"
#define TD_SMALL_V2 \
	"{\"family\":\"small\",\"revision\":2,\"containerDefinitions\":[{\"name\":\"a\",\"image\":\"x:2\",\"cpu\":256," \
	"\"memory\":512}]}"

/* Fixed latencies, so every instant of a scenario can be computed by
 * hand: placement 1 s, API 0.25 s, scheduler reaction 10 s, healthy 40 s
 * after RUNNING without a health check, heartbeat loss at 60 s without
 * jitter; the agent's network delay 0.5 s, image pull 10 s (cached 1 s),
 * container start 2 s, stop 3 s.  TIMING_BY_HAND_AGENT(extra) adds agent
 * members (a leading comma included). */
#define TIMING_BY_HAND_AGENT(extra) \
	"\"controlPlane\":{\"placementLatencySeconds\":1,\"apiLatencySeconds\":0.25," \
	"\"schedulerDelaySeconds\":10,\"healthyAfterSeconds\":40,\"heartbeatTimeoutSeconds\":60," \
	"\"heartbeatJitterSeconds\":0}," \
	"\"agent\":{\"networkDelaySeconds\":0.5,\"imagePullSeconds\":10,\"imagePullCachedSeconds\":1," \
	"\"containerStartSeconds\":2,\"shutdownSeconds\":3" extra "},"
#define TIMING_BY_HAND TIMING_BY_HAND_AGENT("")

#endif
