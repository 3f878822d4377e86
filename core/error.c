#include <tessera/error.h>

const char *hv_strerror(int err)
{
	static const char *const names[] = {[HV_OK] = "ok",
#define HV_ERROR_NAME(num, NAME, desc) [num] = desc,
					    TESSERA_HV_ERRORS(HV_ERROR_NAME)
#undef HV_ERROR_NAME
	};
	if (err < 0)
		err = -err;
	if ((unsigned int)err >= sizeof(names) / sizeof(names[0]) || !names[err])
		return "unknown error";
	return names[err];
}
