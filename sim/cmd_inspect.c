/* sim/cmd_inspect.c — placeholder until the task-definition module lands. */
#include "cmd.h"

int cmd_inspect(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cmd_usage_error("inspect: not built yet");
}
