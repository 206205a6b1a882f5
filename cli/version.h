/* cli/version.h — the version of ecsim (--version, run.json). */
#ifndef SIM_VERSION_H
#define SIM_VERSION_H

#define ECSIM_VERSION "0.1.0"

#endif
